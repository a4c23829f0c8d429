"""The real Mailman 3 core, run as a subprocess for the tests and the demo.

Mailman lives in a virtual environment of its own (docs/decisions/0002-mailman-own-venv.md);
this module only needs the path of its `mailman` command. Only the REST runner is started:
no mail flows, so no MTA is needed.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import time
from pathlib import Path
from types import TracebackType
from urllib.parse import quote

import httpx

from simulators.serving import free_port

_REPO = Path(__file__).resolve().parents[2]
_DEFAULT_BIN = _REPO / ".tools" / "mailman" / "bin" / "mailman"
# Every runner Mailman's own mailman.cfg defines, except `rest`: we need only the REST API.
_UNUSED_RUNNERS = (
    "archive",
    "bounces",
    "command",
    "digest",
    "in",
    "lmtp",
    "out",
    "pipeline",
    "retry",
    "task",
    "virgin",
)
_SUBSCRIBE_WITHOUT_MAIL = {"pre_verified": "true", "pre_confirmed": "true", "pre_approved": "true"}


class MailmanNotInstalled(FileNotFoundError):
    """The `mailman` command is missing."""


class MailmanStartError(RuntimeError):
    """Mailman did not come up; the message carries the tail of its log."""


def find_mailman_bin() -> Path:
    """The `mailman` command: $DSR_MAILMAN_BIN, else the one `make mailman` installs."""
    configured = os.environ.get("DSR_MAILMAN_BIN")
    path = Path(configured) if configured else _DEFAULT_BIN
    if not path.is_file():
        raise MailmanNotInstalled(f"Mailman is not installed at {path}; run `make mailman` first.")
    return path


class MailmanServer:
    """Mailman core with only its REST runner, its state in `workdir`."""

    def __init__(
        self,
        workdir: Path,
        mailman_bin: Path,
        port: int | None = None,
        password: str = "restpass",
        *,
        start_timeout: float = 60.0,
    ) -> None:
        self.workdir = workdir.resolve()
        self.mailman_bin = mailman_bin
        self.port = port or free_port()
        self.user = "restadmin"
        self.password = password
        self.start_timeout = start_timeout
        self.config_file = self.workdir / "mailman.cfg"
        self.cli_log = self.workdir / "mailman-cli.log"
        self._master_pid: int | None = None
        self._http: httpx.Client | None = None

    @property
    def rest_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3.1"

    @property
    def var_dir(self) -> Path:
        return self.workdir / "var"

    def config_text(self) -> str:
        """The mailman.cfg this server runs with."""
        runners = "".join(f"[runner.{name}]\nstart: no\n\n" for name in _UNUSED_RUNNERS)
        return (
            "[mailman]\n"
            "site_owner: postmaster@localhost.invalid\n"
            "layout: dsr\n\n"
            "[paths.dsr]\n"
            f"var_dir: {self.var_dir}\n\n"
            "[webservice]\n"
            "hostname: 127.0.0.1\n"
            f"port: {self.port}\n"
            f"admin_user: {self.user}\n"
            f"admin_pass: {self.password}\n"
            "workers: 1\n\n"
            "[mta]\n"
            # NullMTA writes no alias maps; with the `out` runner off, SMTP is never dialled.
            "incoming: mailman.mta.null.NullMTA\n"
            "smtp_host: 127.0.0.1\n"
            "smtp_port: 9\n\n"
            f"{runners}"
        )

    def start(self) -> None:
        """Write the configuration, start the master and wait until REST answers."""
        if _listening(self.port):
            # Else the readiness check could be answered by someone else, e.g. an older Mailman.
            raise MailmanStartError(
                f"Port {self.port} is already in use; stop what listens there or pick another port."
            )
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.config_file.write_text(self.config_text())
        # --force clears a lock left by a run that was killed; it refuses while one still runs.
        code = self._run_cli("start", "--force", "--quiet")
        if code != 0:
            raise MailmanStartError(
                f"`mailman start` failed with exit code {code}.\n{_tail(self.cli_log)}"
            )
        self._http = httpx.Client(
            base_url=self.rest_url, auth=(self.user, self.password), timeout=10.0
        )
        try:
            self._wait_until_ready()
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        """Ask Mailman to stop, then make sure none of its processes is left."""
        if self._http is not None:
            self._http.close()
            self._http = None
        pid = self._master_pid or self._read_master_pid()
        if pid is None:
            return
        self._run_cli("stop", "--quiet")
        _wait_for_exit(pid, timeout=15.0)
        # The master runs in its own session (setsid): its group holds every runner it started,
        # including any that outlived a master that was killed or did not stop in time.
        _kill_group(pid)
        self._master_pid = None

    def freeze(self, frozen: bool) -> None:
        """Stop (SIGSTOP) or continue every Mailman process: an outside system that hangs."""
        pid = self._master_pid or self._read_master_pid()
        if pid is None:
            raise MailmanStartError("Mailman is not running.")
        # The master calls setsid, so its process group holds every runner it started.
        os.killpg(pid, signal.SIGSTOP if frozen else signal.SIGCONT)

    def __enter__(self) -> MailmanServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def ensure_domain(self, mail_host: str) -> None:
        """Create the domain unless it exists."""
        if self._client.get(f"domains/{mail_host}").status_code == 200:
            return
        self._check(self._client.post("domains", data={"mail_host": mail_host}))

    def ensure_list(self, fqdn_listname: str) -> str:
        """Create the list (and its domain) unless it exists; return its list id."""
        found = self._client.get(f"lists/{fqdn_listname}")
        if found.status_code == 200:
            return str(found.json()["list_id"])
        self.ensure_domain(fqdn_listname.partition("@")[2])
        self._check(self._client.post("lists", data={"fqdn_listname": fqdn_listname}))
        return str(self._check(self._client.get(f"lists/{fqdn_listname}")).json()["list_id"])

    def subscribe(self, list_id: str, email: str, display_name: str = "") -> str:
        """Subscribe without any confirmation mail; return the member id."""
        form = {"list_id": list_id, "subscriber": email, "display_name": display_name}
        created = self._check(self._client.post("members", data=form | _SUBSCRIBE_WITHOUT_MAIL))
        return created.headers["location"].rstrip("/").rsplit("/", 1)[-1]

    def get(self, path: str) -> httpx.Response:
        """GET a REST resource as it is now, for tests to check Mailman's real state."""
        return self._client.get(path)

    def configure_list(self, list_id: str, **settings: str) -> None:
        """Change list settings, e.g. unsubscription_policy="moderate"."""
        self._check(self._client.patch(f"lists/{list_id}/config", data=settings))

    def user_id(self, email: str) -> str:
        """The id of the user who owns the address."""
        address = self._check(self._client.get(f"addresses/{quote(email, safe='@')}")).json()
        return str(address["user"]).rstrip("/").rsplit("/", 1)[-1]

    def prefer_address(self, email: str) -> str:
        """Make the address its user's preferred one; return the user id (a subscriber too)."""
        user_id = self.user_id(email)
        self._check(self._client.post(f"users/{user_id}/preferred_address", data={"email": email}))
        return user_id

    @property
    def _client(self) -> httpx.Client:
        if self._http is None:
            raise RuntimeError("MailmanServer is not started; call start() first.")
        return self._http

    def _check(self, response: httpx.Response) -> httpx.Response:
        # Not Mailman's reason text: it can quote the address it refused.
        if response.is_error:
            raise RuntimeError(
                f"Mailman answered {response.status_code} to {response.request.method} "
                f"{response.request.url.path}; see {self.var_dir / 'logs' / 'mailman.log'}."
            )
        return response

    def _run_cli(self, *args: str) -> int:
        # Mailman refuses root without --run-as-root; PYTHON* variables of our venv must not leak.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        command = [str(self.mailman_bin), "-C", str(self.config_file), "--run-as-root", *args]
        # A file, not a pipe: the daemonised master inherits the handles and never closes them.
        with self.cli_log.open("a") as log:
            return subprocess.run(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                timeout=60,
                check=False,
            ).returncode

    def _wait_until_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            self._master_pid = self._master_pid or self._read_master_pid()
            if self._master_pid is not None and not _alive(self._master_pid):
                raise MailmanStartError(f"Mailman's master exited at startup.\n{self._log_tail()}")
            try:
                if self._client.get("system/versions", timeout=2.0).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise MailmanStartError(
            f"Mailman did not answer on {self.rest_url} within {self.start_timeout:.0f} s.\n"
            f"{self._log_tail()}"
        )

    def _read_master_pid(self) -> int | None:
        try:
            return int((self.var_dir / "master.pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def _log_tail(self) -> str:
        return f"{_tail(self.cli_log)}\n{_tail(self.var_dir / 'logs' / 'mailman.log')}"


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _tail(log: Path, lines: int = 30) -> str:
    if not log.is_file():
        return f"(no log at {log})"
    tail = log.read_text(errors="replace").splitlines()[-lines:]
    return f"Last lines of {log}:\n" + "\n".join(tail)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is gone for our purposes; reap it if it is our child.
    try:
        reaped, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return _state(pid) != "Z"
    return reaped == 0


def _state(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return "Z"


def _wait_for_exit(pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.1)


def _kill_group(pgid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)
