#!/usr/bin/env bash
# Make Postfix (with pcre and lmdb maps), swaks, an sshd, shellcheck and Cyrus SASL's
# saslpasswd2 + plugins (the SASL sandbox's sasldb) available.
# As root with apt-get: installs what is missing, without prompts, and says so.
# Otherwise: fails with the exact command to run. Never a silent skip.
set -euo pipefail

packages=(postfix postfix-pcre postfix-lmdb swaks openssh-server shellcheck sasl2-bin libsasl2-modules)

# Postfix tools insist on a main.cf; a fresh Debian install with "No configuration" has none.
probe_dir=$(mktemp -d)
trap 'rm -rf "$probe_dir"' EXIT
touch "$probe_dir/main.cf" "$probe_dir/master.cf"
postfix_facts() { echo "$(postconf -c "$probe_dir" -d -h mail_version) with maps: $(postconf -c "$probe_dir" -m | tr '\n' ' ')"; }

missing_reason=""
for tool in postfix postmap postconf swaks /usr/sbin/sshd shellcheck saslpasswd2; do
    command -v "$tool" >/dev/null 2>&1 || missing_reason+=" $tool"
done
if command -v postconf >/dev/null 2>&1; then
    map_types=$(postconf -c "$probe_dir" -m 2>/dev/null || true)
    for map_type in pcre lmdb; do
        grep -qx "$map_type" <<<"$map_types" || missing_reason+=" map:$map_type"
    done
fi

if [ -z "$missing_reason" ]; then
    echo "postfix: $(postfix_facts)"
    exit 0
fi

install_cmd="apt-get update && echo 'postfix postfix/main_mailer_type select No configuration' | debconf-set-selections && DEBIAN_FRONTEND=noninteractive apt-get install -y ${packages[*]}"
if [ "$(id -u)" -ne 0 ] || ! command -v apt-get >/dev/null 2>&1; then
    echo "ERROR: missing:${missing_reason}. Run as root: ${install_cmd}" >&2
    exit 1
fi

echo "postfix: missing:${missing_reason}; installing ${packages[*]} with apt-get"
apt-get update -qq
echo "postfix postfix/main_mailer_type select No configuration" | debconf-set-selections
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${packages[@]}" >/dev/null
echo "postfix: installed $(postfix_facts)"
