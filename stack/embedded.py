"""The embedded default stack: Temporal dev server, Mailman, worker and API as child processes.

Used by `make demo` and by the end-to-end tests, each with its own home directory and ports.
"""

from __future__ import annotations

import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field, fields
from datetime import date
from pathlib import Path

import httpx

from domain.attributes import ALL, cli_type
from runtime.children import start_child
from runtime.keys import generate_key_entry
from simulators.billing import SeedSummary, create_and_seed
from simulators.newsletter import MailmanServer, find_mailman_bin
from stack.supervisor import Supervisor

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
NEWSLETTER_LIST = "newsletter@lists.example.nl"


class StackError(RuntimeError):
    """A part of the stack did not come up; the message says which and where its log is."""


@dataclass(frozen=True)
class StackPorts:
    temporal: int = 7233
    temporal_ui: int = 8233
    api: int = 8000
    mailman: int = 8001
    ripe: int = 8101
    arin: int = 8102
    registrar: int = 8103
    certcentral: int = 8104
    epp: int = 8700
    smtp: int = 8025
    controller: int = 8110

    @classmethod
    def free(cls) -> StackPorts:
        """Free ports below the kernel's ephemeral range, so that no outgoing connection
        (which takes an ephemeral port) can grab one between choosing it and using it."""
        chosen: list[int] = []
        while len(chosen) < len(fields(cls)):
            port = random.randint(20000, 32000)
            if port not in chosen and _bindable(port):
                chosen.append(port)
        return cls(*chosen)


@dataclass(frozen=True)
class Secrets:
    """Credentials the simulators accept and the connectors present; new for every stack."""

    mailman: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    ripe_key_id: str = field(default_factory=lambda: f"key-{secrets.token_hex(4)}")
    ripe_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    arin: str = field(default_factory=lambda: f"API-{secrets.token_hex(8).upper()}")
    epp: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    registrar: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    certcentral: str = field(default_factory=lambda: secrets.token_hex(16))
    webhook: str = field(default_factory=lambda: secrets.token_urlsafe(24))


@dataclass
class Stack:
    """Starts and stops every process of the embedded stack under `home`."""

    home: Path
    ports: StackPorts = field(default_factory=StackPorts)
    today: date = field(default_factory=date.today)
    customers: int = 60
    agent_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    officer_token: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    secrets: Secrets = field(default_factory=Secrets)
    _procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    _mailman: MailmanServer | None = None
    # The worker runs under a supervisor that restarts it when it dies.
    _worker: Supervisor | None = None
    seed: SeedSummary | None = None

    @property
    def env(self) -> dict[str, str]:
        """The DSR_* settings every process of this stack shares."""
        return {
            "DSR_HOME": str(self.home),
            "DSR_POLICY_FILE": str(REPO / "policy.toml"),
            "DSR_TEMPORAL_ADDRESS": f"127.0.0.1:{self.ports.temporal}",
            "DSR_TEMPORAL_UI_URL": f"http://localhost:{self.ports.temporal_ui}",
            "DSR_CODEC_KEY_FILE": str(self.home / "codec.key"),
            "DSR_MAILMAN_URL": f"http://127.0.0.1:{self.ports.mailman}/3.1",
            "DSR_MAILMAN_PASSWORD": self.secrets.mailman,
            **self._outside_env(),
            "DSR_API_PORT": str(self.ports.api),
            "DSR_API_URL": f"http://127.0.0.1:{self.ports.api}",
            "DSR_AGENT_TOKENS": (
                f"{self.agent_token}:agent:demo-agent,{self.officer_token}:officer:demo-officer"
            ),
        }

    def _outside_env(self) -> dict[str, str]:
        p, k, tls = self.ports, self.secrets, self.home / "epp-tls"
        return {
            "DSR_RIPE_URL": f"http://127.0.0.1:{p.ripe}",
            "DSR_RIPE_KEY_ID": k.ripe_key_id,
            "DSR_RIPE_KEY_SECRET": k.ripe_secret,
            "DSR_ARIN_URL": f"http://127.0.0.1:{p.arin}",
            "DSR_ARIN_API_KEY": k.arin,
            "DSR_EPP_HOST": "127.0.0.1",
            "DSR_EPP_PORT": str(p.epp),
            "DSR_EPP_CLIENT_ID": "dsr-registrar",
            "DSR_EPP_PASSWORD": k.epp,
            "DSR_EPP_CA_FILE": str(tls / "ca.pem"),
            "DSR_EPP_CERT_FILE": str(tls / "client.pem"),
            "DSR_EPP_KEY_FILE": str(tls / "client-key.pem"),
            "DSR_REGISTRAR_URL": f"http://127.0.0.1:{p.registrar}",
            "DSR_REGISTRAR_USERNAME": "dsr-reseller",
            "DSR_REGISTRAR_PASSWORD": k.registrar,
            "DSR_WEBHOOK_SECRET": k.webhook,
            "DSR_CERTCENTRAL_URL": f"http://127.0.0.1:{p.certcentral}",
            "DSR_CERTCENTRAL_API_KEY": k.certcentral,
            "DSR_SMTP_HOST": "127.0.0.1",
            "DSR_SMTP_PORT": str(p.smtp),
            # The other controller of a portability push uses a private test CA.
            "DSR_PUSH_CA_FILE": str(self.home / "controller-tls" / "ca.pem"),
        }

    def _simulator_commands(self) -> dict[str, tuple[list[str], int]]:
        """How each outside system's simulator is started, and the port to wait for.

        Their asynchronous answers come after a few seconds, so the demo shows real
        pending outcomes confirmed by webhook, poll queue and ticket.
        """
        # Secrets go as --option=value: a token may start with "-", which argparse would misread.
        p, k, admin = self.ports, self.secrets, self._admin_url
        webhook = f"http://127.0.0.1:{p.api}/webhooks/registrar-openprovider"
        common = ["--admin-db", admin]
        return {
            "ripe": (["simulators.ripe", "--port", str(p.ripe), *common,
                      f"--api-key={k.ripe_key_id}:{k.ripe_secret}"], p.ripe),
            "arin": (["simulators.arin", "--port", str(p.arin), *common, f"--api-key={k.arin}",
                      "--ticket-delay", "1"], p.arin),
            "epp": (["simulators.epp", "--port", str(p.epp), *common,
                     "--cert-dir", str(self.home / "epp-tls"), f"--password={k.epp}",
                     "--pending-deletes", "--pending-delay", "2"], p.epp),
            "registrar": (["simulators.registrar", "--port", str(p.registrar), *common,
                           f"--password={k.registrar}", "--webhook-url", webhook,
                           f"--webhook-secret={k.webhook}", "--complete-after", "2"], p.registrar),
            # The subject's mailbox: every notice lands in a Maildir under the stack's home.
            "smtp": (["aiosmtpd", "-n", "-l", f"127.0.0.1:{p.smtp}",
                      "-c", "aiosmtpd.handlers.Mailbox", str(self.mailbox)], p.smtp),
            "certcentral": (["simulators.certcentral", "--port", str(p.certcentral), *common,
                             f"--api-key={k.certcentral}", "--auto-approve-after", "2"],
                            p.certcentral),
            # Another hosting company that receives portability pushes, over HTTPS.
            "controller": (["simulators.controller", "--port", str(p.controller),
                            "--tls-dir", str(self.home / "controller-tls")], p.controller),
        }  # fmt: skip

    @property
    def push_url(self) -> str:
        """The other controller's import endpoint, for `--push-to`."""
        return f"https://127.0.0.1:{self.ports.controller}/dsr/v1/imports"

    @property
    def mailbox(self) -> Path:
        return self.home / "mail"

    @property
    def _admin_url(self) -> str:
        return f"sqlite:///{self.home / 'administration.sqlite3'}"

    def child_env(self) -> dict[str, str]:
        return {**os.environ, **self.env}

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self._ensure_key()
        self._fresh(self.home / "administration.sqlite3")
        self.seed = create_and_seed(self._admin_url, customers=self.customers, today=self.today)
        self._start_temporal()
        self._start_mailman()
        for name, (args, port) in self._simulator_commands().items():
            self._start_process(name, [sys.executable, "-m", *args])
            self._wait_port(name, port)
        self.start_worker()
        self._start_process("api", [sys.executable, "-m", "api"])
        self._wait_http("api", f"http://127.0.0.1:{self.ports.api}/healthz")

    def start_worker(self) -> subprocess.Popen[bytes]:
        """Start the worker (again, after `stop_worker`); it is restarted whenever it dies."""
        if self._worker is None:
            args = [sys.executable, str(REPO / "worker.py")]
            self._worker = Supervisor(
                "worker", lambda: self._spawn("worker", args), self.log_path("worker")
            )
        return self._worker.start()

    def kill_worker(self) -> None:
        """SIGKILL the worker, as a crash would; the stack starts a new one."""
        assert self._worker is not None
        self._worker.kill()

    def stop_worker(self) -> None:
        """SIGKILL the worker and leave it down (until `start_worker`): a worker that died
        for good, as Temporal and the agents see it."""
        assert self._worker is not None
        self._worker.stop(_kill)

    @property
    def worker_pid(self) -> int | None:
        return self._worker.pid if self._worker is not None else None

    def wait_for_worker_restart(self, previous_pid: int, timeout: float = 60) -> int:
        """The pid of the worker started after the one with `previous_pid` died."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            pid = self.worker_pid
            if pid is not None and pid != previous_pid:
                return pid
            time.sleep(0.1)
        raise StackError(f"The worker was not restarted; see {self.log_path('worker')}.")

    def freeze_mailman(self, frozen: bool) -> None:
        assert self._mailman is not None
        self._mailman.freeze(frozen)

    def stop(self) -> None:
        proc = self._procs.pop("api", None)
        if proc is not None:
            _terminate(proc)
        if self._worker is not None:
            self._worker.close(_terminate)
            self._worker = None
        for name in (*self._simulator_commands(), "temporal"):
            proc = self._procs.pop(name, None)
            if proc is not None:
                _terminate(proc)
        if self._mailman is not None:
            self._mailman.stop()
            self._mailman = None

    def __enter__(self) -> Stack:
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *_: object) -> None:
        self.stop()

    def log_path(self, name: str) -> Path:
        return self.home / "logs" / f"{name}.log"

    def ui_link(self, workflow_id: str) -> str:
        return (
            f"http://localhost:{self.ports.temporal_ui}/namespaces/default/workflows/{workflow_id}"
        )

    # --- parts ---

    def _ensure_key(self) -> None:
        key_file = self.home / "codec.key"
        if not key_file.exists():
            key_file.write_text(generate_key_entry() + "\n")
            key_file.chmod(0o600)

    def _start_temporal(self) -> None:
        _require_free("Temporal", self.ports.temporal)
        args = [
            str(BIN / "temporal"), "server", "start-dev",
            "--ip", "127.0.0.1",
            "--port", str(self.ports.temporal),
            "--ui-port", str(self.ports.temporal_ui),
            "--db-filename", str(self.home / "temporal.db"),
            "--ui-codec-endpoint", f"http://127.0.0.1:{self.ports.api}/codec",
            "--log-level", "warn",
        ]  # fmt: skip
        for key in ALL:
            kind = cli_type(key)
            args += ["--search-attribute", f"{key.name}={kind}"]
        self._start_process("temporal", args)
        self._wait_port("temporal", self.ports.temporal)

    def _start_mailman(self) -> None:
        # Like the administration database, the newsletter starts from the seed every run.
        workdir = self.home / "mailman"
        shutil.rmtree(workdir, ignore_errors=True)
        self._mailman = MailmanServer(
            workdir, find_mailman_bin(), port=self.ports.mailman, password=self.secrets.mailman
        )
        self._mailman.start()
        list_id = self._mailman.ensure_list(NEWSLETTER_LIST)
        assert self.seed is not None
        for customer in self.seed.customers:
            if customer.newsletter:
                self._mailman.subscribe(list_id, customer.email, customer.name)

    def _start_process(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        proc = self._spawn(name, args)
        self._procs[name] = proc
        return proc

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen[bytes]:
        log = self.log_path(name)
        log.parent.mkdir(parents=True, exist_ok=True)
        with log.open("ab") as out:
            return start_child(
                args, stdout=out, stderr=subprocess.STDOUT, env=self.child_env(), cwd=REPO
            )

    def _fresh(self, path: Path) -> Path:
        """The demo's administration database starts from the seed every run."""
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return path

    def _wait_port(self, name: str, port: int, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise StackError(f"{name} did not open port {port}; see {self.log_path(name)}.")

    def _wait_http(self, name: str, url: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._check_alive(name)
            try:
                if httpx.get(url, timeout=2).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise StackError(f"{name} did not answer at {url}; see {self.log_path(name)}.")

    def _check_alive(self, name: str) -> None:
        proc = self._procs.get(name)
        if proc is not None and proc.poll() is not None:
            raise StackError(
                f"{name} exited with status {proc.returncode}; see {self.log_path(name)}."
            )


def _bindable(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _require_free(name: str, port: int) -> None:
    with socket.socket() as s:
        if s.connect_ex(("127.0.0.1", port)) == 0:
            raise StackError(
                f"Port {port} for {name} is already in use; stop the other stack first."
            )


def _kill(proc: subprocess.Popen[bytes]) -> None:
    proc.kill()
    proc.wait()


def _terminate(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
