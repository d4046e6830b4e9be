# SPDX-License-Identifier: GPL-3.0-or-later
"""Timing primitives: whole ansible-playbook processes, single tasks, postmap lookups.

Every playbook run is a separate ``ansible-playbook`` process timed by wall
clock; the ``mailops_bench_timer`` callback adds how long each task took and
what it changed, so a run can be judged both as a whole and per task.
"""

import json
import os
import shutil
import signal
import statistics
import subprocess
import tempfile
import time

# Actions that run on the controller only: no module is shipped to the host for them.
_CONTROLLER_SHORT_NAMES = ("set_fact", "debug", "meta", "include_tasks", "import_tasks", "include_role",
                           "import_role", "fail", "assert", "include_vars", "group_by", "add_host", "set_stats",
                           "noop", "validate_argument_spec")
CONTROLLER_ACTIONS = frozenset(name for short in _CONTROLLER_SHORT_NAMES
                               for name in (short, "ansible.builtin." + short, "ansible.legacy." + short))
BENCH_DIR = os.path.dirname(os.path.abspath(__file__))
CALLBACK_DIR = os.path.join(BENCH_DIR, "callback_plugins")
TIME_BINARY = "/usr/bin/time"


class BenchError(Exception):
    """A benchmark could not run or its subject misbehaved; the text says which and why."""


class BenchTimeout(BenchError):
    """A run did not finish within its time bound (it was stopped, with every process it started)."""

    def __init__(self, message, seconds):
        super().__init__(message)
        self.seconds = seconds


class PlaybookRun:
    """One ansible-playbook process: wall clock, per-task times, recap, handler runs."""

    def __init__(self, wall_s, timer_report, stdout):
        self.wall_s = wall_s
        self.tasks = timer_report["tasks"]
        self.recap = timer_report["recap"]
        self.stdout = stdout

    def task_seconds(self, name):
        """Seconds of the (first) task called ``name``, from its start to its last host's result."""
        for task in self.tasks:
            if task["name"] == name:
                return task["seconds"]
        raise BenchError("no task named %r in this run; tasks: %s" % (name, [task["name"] for task in self.tasks]))

    def tasks_seconds(self, handlers=True):
        """Seconds of every task (and handler) together: the play minus Ansible's own start-up."""
        return sum(task["seconds"] for task in self.tasks if handlers or not task["handler"])

    def changed_count(self):
        """Changed task results summed over hosts, as the play recap counts them."""
        return sum(host["changed"] for host in self.recap.values())

    def handler_runs(self):
        """Handler tasks that ran for at least one host."""
        return sum(1 for task in self.tasks if task["handler"])

    def ran_tasks(self):
        """Tasks (and handlers) that ran for at least one host, skipped ones left out."""
        return [task for task in self.tasks if task.get("ran_hosts")]

    def module_calls(self):
        """Tasks that ran a module on a host (controller-only actions such as set_fact left out)."""
        return [task for task in self.ran_tasks() if task["action"] not in CONTROLLER_ACTIONS]

    def changed_tasks(self):
        return [task["name"] for task in self.tasks if task["changed_hosts"]]


def playbook_env(extra=None):
    env = dict(os.environ)
    env.update({
        "ANSIBLE_CALLBACK_PLUGINS": CALLBACK_DIR,
        "ANSIBLE_CALLBACKS_ENABLED": "mailops_bench_timer",
        "ANSIBLE_RETRY_FILES_ENABLED": "0",
        "ANSIBLE_NOCOLOR": "1",
        "ANSIBLE_HOST_KEY_CHECKING": "0",
    })
    env.update(extra or {})
    return env


def run_playbook(playbook, inventory="localhost,", extra_args=(), env=None, timeout=1800):
    """Run ``playbook`` once and return a PlaybookRun; any failed task is a BenchError."""
    with tempfile.TemporaryDirectory(prefix="mailops-bench-timer-") as timer_dir:
        timer_out = os.path.join(timer_dir, "timer.json")
        argv = ["ansible-playbook", "-i", inventory, playbook] + list(extra_args)
        started = time.monotonic()
        # Own session: on timeout the whole group goes (ansible-playbook, its workers, the module processes).
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True,
                                   env=playbook_env(dict(env or {}, MAILOPS_BENCH_TIMER_OUT=timer_out)))
        try:
            stdout, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired as error:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise BenchTimeout("%s did not finish within %d s" % (" ".join(argv), timeout), timeout) from error
        completed = subprocess.CompletedProcess(argv, process.returncode, stdout, stderr)
        wall_s = time.monotonic() - started
        if completed.returncode != 0 or not os.path.exists(timer_out):
            raise BenchError("%s failed (rc=%d)\n%s\n%s" % (" ".join(argv), completed.returncode,
                                                            completed.stdout[-4000:], completed.stderr[-2000:]))
        with open(timer_out) as timer_file:
            report = json.load(timer_file)
    failed = [task["name"] for task in report["tasks"] if task["failed_hosts"]]
    if failed:
        raise BenchError("%s: tasks failed: %s\n%s" % (playbook, failed, completed.stdout[-4000:]))
    return PlaybookRun(wall_s, report, completed.stdout)


def median(values):
    return statistics.median(values) if values else None


def require_time_binary():
    if not os.access(TIME_BINARY, os.X_OK):
        raise BenchError("%s is missing: run scripts/ensure-bench-tools.sh (installs the Debian package `time`)"
                         % TIME_BINARY)


def postmap_lookup(config_dir, map_type, path, queries_file):
    """Time one ``postmap -q - type:path`` process fed ``queries_file``.

    Returns ``(seconds, peak_rss_kb, answers)``. Peak RSS comes from GNU time
    (``%M``): it forks and execs postmap directly, so the number is postmap's
    own; Python's wait4 would also count the forked interpreter's pages.
    """
    require_time_binary()
    with tempfile.NamedTemporaryFile(prefix="mailops-bench-rss-", mode="r") as rss_file, \
            open(queries_file) as queries:
        argv = [TIME_BINARY, "-f", "%M", "-o", rss_file.name,
                "postmap", "-c", config_dir, "-q", "-", "%s:%s" % (map_type, path)]
        started = time.monotonic()
        completed = subprocess.run(argv, stdin=queries, capture_output=True, text=True, check=False, timeout=600)
        seconds = time.monotonic() - started
        rss_lines = rss_file.read().split()
    # postmap -q - exits 1 when some key was not found; warnings mean a broken table.
    if completed.returncode not in (0, 1) or "warning:" in completed.stderr or "fatal:" in completed.stderr:
        raise BenchError("postmap -q - %s:%s failed (rc=%d): %s"
                         % (map_type, path, completed.returncode, completed.stderr.strip()[:1000]))
    answers = {}
    for line in completed.stdout.splitlines():
        key, _sep, value = line.partition("\t")
        answers[key] = value
    return seconds, int(rss_lines[-1]), answers


def tool_versions():
    """Versions of what the numbers depend on."""
    versions = {}
    ansible = subprocess.run(["ansible-playbook", "--version"], capture_output=True, text=True, check=False)
    versions["ansible-core"] = ansible.stdout.splitlines()[0] if ansible.stdout else "unknown"
    with tempfile.TemporaryDirectory(prefix="mailops-bench-cf-") as config_dir:
        for name in ("main.cf", "master.cf"):
            path = os.path.join(config_dir, name)
            with open(path, "w"):
                pass
            os.utime(path, (time.time() - 60, time.time() - 60))
        postconf = subprocess.run(["postconf", "-c", config_dir, "-d", "-h", "mail_version"],
                                  capture_output=True, text=True, check=False)
    versions["postfix"] = postconf.stdout.strip() or "unknown"
    python = subprocess.run([os.environ.get("ANSIBLE_PYTHON_INTERPRETER") or shutil.which("python3") or "python3",
                             "--version"], capture_output=True, text=True, check=False)
    versions["python"] = (python.stdout or python.stderr).strip()
    return versions


def machine():
    return {
        "cpu_count": os.cpu_count(),
        "load_average": [round(value, 2) for value in os.getloadavg()],
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2 ** 30, 1),
    }
