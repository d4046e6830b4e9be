# SPDX-License-Identifier: GPL-3.0-or-later
"""Names every helo_access test judges tables with."""

# The seed's names, their near misses, address literals and domains.
SEED_ENTRIES = [{"ip": "50.0.0.1"}, {"ip": "50.0.0.2"}, {"host": "mxbox50.bitwiz.net"},
                {"ip": "2001:db8::25"}, {"domain": "bitwiz.org"}]
SEED_MATCHES = ["mxbox50.bitwiz.net", "MXBOX50.Bitwiz.NET", "50.0.0.1", "[50.0.0.1]", "50.0.0.2", "[50.0.0.2]",
                "2001:db8::25", "[IPv6:2001:db8::25]", "[ipv6:2001:DB8::25]", "bitwiz.org", "mx.bitwiz.org",
                "a.b.BITWIZ.org"]
NEAR_MISSES = ["mxbox50xbitwiz.net", "evil.mxbox50.bitwiz.net", "mxbox50.bitwiz.net.evil.org", "mxbox50.bitwiz",
               "50.0.0.10", "150.0.0.1", "50.0.0.1.evil.org", "[50.0.0.10]", "[50.0.0.1", "2001:db8::250",
               "[IPv6:2001:db8::2]", "xbitwiz.org", "bitwiz.org.evil.org", "bitwiz.orgx"]
