"""Configuration from `DSR_*` environment variables (README.md, "Configuration")."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DSR_", extra="ignore")

    home: Path = Field(default=Path(".dsr"), description="Local state of the embedded stack.")
    policy_file: Path = Path("policy.toml")

    temporal_address: str = "localhost:7233"
    temporal_namespace: str = "default"
    task_queue: str = "dsr"
    temporal_ui_url: str = "http://localhost:8233"

    database_url: str = ""
    admin_database_url: str = ""

    # file:<dir> (default: <home>/blobs) or s3://bucket/prefix
    blob_url: str = ""
    s3_endpoint_url: str | None = None
    s3_region: str = "eu-west-1"

    # Payload codec keys: "<key id>:<base64 of 32 bytes>", newest first, comma-separated.
    codec_keys: str = ""
    codec_key_file: Path | None = None

    mailman_url: str = "http://localhost:8001/3.1"
    mailman_user: str = "restadmin"
    mailman_password: str = "restpass"

    # Outside systems (issue 3); each connector reads only its own block.
    ripe_url: str = "http://127.0.0.1:8101"
    ripe_key_id: str = ""
    ripe_key_secret: str = ""
    ripe_source: str = "RIPE"
    ripe_company_role: str = "HST1-RIPE"

    arin_url: str = "http://127.0.0.1:8102"
    arin_api_key: str = ""
    arin_company_poc: str = "HOSTI-ARIN"

    epp_host: str = "127.0.0.1"
    epp_port: int = 8700
    epp_client_id: str = ""
    epp_password: str = ""
    epp_ca_file: Path | None = None
    epp_cert_file: Path | None = None
    epp_key_file: Path | None = None
    epp_company_contact: str = "HST-COMPANY"

    registrar_url: str = "http://127.0.0.1:8103"
    registrar_username: str = ""
    registrar_password: str = ""
    registrar_company_handle: str = "HC000001-NL"
    webhook_secret: str = Field(default="", description="Shared HMAC key for registrar webhooks.")

    certcentral_url: str = "http://127.0.0.1:8104"
    certcentral_api_key: str = ""

    # Portability push: a private CA to trust for other controllers' endpoints (tests, demo).
    push_ca_file: Path | None = None

    api_url: str = "http://127.0.0.1:8000"
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    agent_tokens: str = Field(
        default="",
        description="Comma-separated '<token>:<role>:<name>'; role: agent, officer, auditor.",
    )
    agent_token: str = Field(default="", description="The token this CLI sends to the API.")
    link_ttl_seconds: int = 7 * 24 * 3600

    # Outgoing mail to the data subject (runtime/mailer.py): links only, never attachments.
    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_sender: str = "Privacy <privacy@hosting.example>"
    smtp_starttls: bool = False
    smtp_username: str = ""
    smtp_password: str = ""
    controller_name: str = ""
    privacy_contact: str = ""

    log_level: str = "INFO"

    @property
    def resolved_database_url(self) -> str:
        return self.database_url or f"sqlite:///{self.home / 'dsr.sqlite3'}"

    @property
    def resolved_admin_database_url(self) -> str:
        return self.admin_database_url or f"sqlite:///{self.home / 'administration.sqlite3'}"

    @property
    def resolved_blob_url(self) -> str:
        return self.blob_url or f"file:{self.home / 'blobs'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
