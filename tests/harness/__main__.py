# SPDX-License-Identifier: GPL-3.0-or-later
"""Command line for the sandbox harness, for shell callers (make demo, molecule, bench).

    python -m tests.harness create  --dir D [--address A] [--port P] [--set name=value ...]
    python -m tests.harness start   --dir D
    python -m tests.harness reload  --dir D
    python -m tests.harness stop    --dir D
    python -m tests.harness destroy --dir D
    python -m tests.harness probe   --dir D [--helo NAME | --no-helo]

``create`` records address and port in D/sandbox.json so later calls need only --dir.
"""

import argparse
import json
import os
import sys

from .sandbox import PostfixSandbox, SandboxError
from .smtp_probe import probe


def load(base_dir):
    with open(os.path.join(base_dir, "sandbox.json")) as state_file:
        state = json.load(state_file)
    return PostfixSandbox(base_dir, state["address"], state["port"])


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tests.harness")
    parser.add_argument("action", choices=["create", "start", "reload", "stop", "destroy", "probe"])
    parser.add_argument("--dir", required=True, help="the instance's base directory")
    parser.add_argument("--address", default="127.0.0.1")
    parser.add_argument("--port", type=int)
    parser.add_argument("--set", action="append", default=[], metavar="NAME=VALUE", help="extra main.cf parameter")
    parser.add_argument("--helo", help="HELO name for probe")
    parser.add_argument("--no-helo", action="store_true", help="probe without any HELO")
    args = parser.parse_args(argv)
    try:
        if args.action == "create":
            os.makedirs(args.dir, exist_ok=True)
            os.chmod(args.dir, 0o755)
            sandbox = PostfixSandbox(args.dir, args.address, args.port)
            sandbox.create(dict(item.split("=", 1) for item in args.set))
            with open(os.path.join(args.dir, "sandbox.json"), "w") as state_file:
                json.dump({"address": sandbox.address, "port": sandbox.port, "config_dir": sandbox.config_dir},
                          state_file)
            print(json.dumps({"config_dir": sandbox.config_dir, "address": sandbox.address, "port": sandbox.port}))
            return 0
        sandbox = load(args.dir)
        if args.action == "probe":
            helo = None if args.no_helo else args.helo
            print(json.dumps(probe(sandbox.address, sandbox.port, helo=helo)))
        else:
            getattr(sandbox, args.action)()
        return 0
    except (SandboxError, OSError) as error:
        print("sandbox %s failed: %s" % (args.action, error), file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
