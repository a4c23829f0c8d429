"""A throwaway certificate authority for the simulators that speak TLS: CA, server and client
certificates.

Registries admit registrars by TLS client certificate (RFC 5734): the EPP simulator makes its
own authority at start-up and writes the PEM files where the connector's settings point. The
receiving controller's simulator uses the same authority for its HTTPS server certificate.
"""

from __future__ import annotations

import ipaddress
import ssl
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

_VALID_FOR = timedelta(days=30)


@dataclass(frozen=True)
class Authority:
    """A certificate authority's certificate and signing key."""

    cert: x509.Certificate
    key: ec.EllipticCurvePrivateKey


@dataclass(frozen=True)
class TlsFiles:
    """The PEM files one simulator run uses; `client_*` are what the connector presents."""

    ca_file: Path
    server_cert: Path
    server_key: Path
    client_cert: Path
    client_key: Path


def create_authority(common_name: str) -> Authority:
    """A self-signed CA that may sign certificates but no further CAs."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        _builder(name, name, key.public_key())
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return Authority(cert, key)


def issue(
    authority: Authority, common_name: str, *, server: bool
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey]:
    """A leaf certificate: for the server on 127.0.0.1/localhost, or for a registrar client."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    purpose = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
    builder = (
        _builder(subject, authority.cert.subject, key.public_key())
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.ExtendedKeyUsage([purpose]), critical=False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()),
            critical=False,
        )
    )
    if server:
        names = [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    return builder.sign(authority.key, hashes.SHA256()), key


def write_client_files(authority: Authority, directory: Path, stem: str) -> tuple[Path, Path]:
    """Issue a client certificate and write `<stem>.pem` and `<stem>-key.pem`."""
    cert, key = issue(authority, f"{stem} (EPP client)", server=False)
    return _write_cert(directory / f"{stem}.pem", cert), _write_key(
        directory / f"{stem}-key.pem", key
    )


def write_tls_files(directory: Path) -> TlsFiles:
    """Make a fresh authority, a server and a client certificate; write them all as PEM."""
    directory.mkdir(parents=True, exist_ok=True)
    authority = create_authority("dsr EPP simulator test CA")
    server_cert, server_key = issue(authority, "localhost", server=True)
    client_cert, client_key = write_client_files(authority, directory, "client")
    return TlsFiles(
        ca_file=_write_cert(directory / "ca.pem", authority.cert),
        server_cert=_write_cert(directory / "server.pem", server_cert),
        server_key=_write_key(directory / "server-key.pem", server_key),
        client_cert=client_cert,
        client_key=client_key,
    )


def server_context(files: TlsFiles) -> ssl.SSLContext:
    """TLS for the server: its own certificate, and a client certificate from our CA required."""
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(files.ca_file))
    context.load_cert_chain(files.server_cert, files.server_key)
    context.verify_mode = ssl.CERT_REQUIRED
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    return context


def _builder(
    subject: x509.Name, issuer: x509.Name, public_key: ec.EllipticCurvePublicKey
) -> x509.CertificateBuilder:
    now = datetime.now(UTC)
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(issuer)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(minutes=5))
        .not_valid_after(now + _VALID_FOR)
    )


def _write_cert(path: Path, cert: x509.Certificate) -> Path:
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return path


def _write_key(path: Path, key: ec.EllipticCurvePrivateKey) -> Path:
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return path
