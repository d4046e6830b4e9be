# SPDX-License-Identifier: GPL-3.0-or-later
"""Write one JUnit file for runners that write none (ansible-test integration, molecule).

    python scripts/junit.py OUT SUITE NAME=ok|failed=SECONDS ...

One test case per NAME, so `make test`'s closing line counts each target or
scenario; a failed one is a failure, never left out.
"""

import sys
from xml.sax.saxutils import quoteattr


def main(argv):
    out, suite, results = argv[0], argv[1], [item.rsplit("=", 2) for item in argv[2:]]
    failures = sum(1 for _name, status, _seconds in results if status != "ok")
    with open(out, "w") as junit:
        junit.write('<testsuite name=%s tests="%d" failures="%d" errors="0" skipped="0">\n'
                    % (quoteattr(suite), len(results), failures))
        for name, status, seconds in results:
            junit.write('  <testcase classname=%s name=%s time="%s">' % (quoteattr(suite), quoteattr(name), seconds))
            if status != "ok":
                junit.write("<failure message=%s/>" % quoteattr("%s %s failed" % (suite, name)))
            junit.write("</testcase>\n")
        junit.write("</testsuite>\n")


if __name__ == "__main__":
    main(sys.argv[1:])
