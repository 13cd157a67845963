"""Real servers for the deployment tests: Apache from our template, pebble, curl.

Each class starts the Debian program itself on 127.0.0.1 and stops it again;
nothing here imitates a server.
"""
import datetime
import ipaddress
import json
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

REPO = Path(__file__).resolve().parents[2]
VENV = Path(os.environ.get("SAVER_TEST_VENV", REPO / ".venv"))
MODULES = Path("/usr/lib/apache2/modules")
DAEMON_USER = "www-data"  # any unprivileged user; install.sh makes a dedicated one


def run(args, check=True, **kwargs):
    """Run a command, capturing text output; fail with its output on error."""
    result = subprocess.run(args, capture_output=True, text=True, **kwargs)
    if check and result.returncode != 0:
        raise AssertionError(f"{args} exited {result.returncode}\n"
                             f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
    return result


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port, seconds=15, process=None):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"{process.args} exited {process.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.05)
    raise AssertionError(f"nothing listens on 127.0.0.1:{port} after {seconds} s")


def shared_tempdir(prefix):
    """A temporary folder the daemon user can enter (pytest's own is root-only)."""
    path = Path(tempfile.mkdtemp(prefix=prefix))
    path.chmod(0o755)
    return path


def give_to_daemon_user(*paths):
    user = pwd.getpwnam(DAEMON_USER)
    for path in paths:
        os.chown(path, user.pw_uid, user.pw_gid)


def write_env_file(path, settings):
    """Write ``settings`` as the site's env file (NAME=value lines); return its path."""
    path.write_text("".join(f"{name}={value}\n" for name, value in settings.items()))
    return path


def render(template, **values):
    """Fill a deployment template with scripts/render-template, as install.sh does."""
    pairs = [f"{name}={value}" for name, value in values.items()]
    return run([str(REPO / "scripts/render-template"), str(REPO / template), *pairs]).stdout


class CertificateAuthority:
    """A throw-away CA that signs certificates for test names."""

    def __init__(self, folder):
        self.folder = Path(folder)
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "saver test CA")])
        self.cert = (self._builder(name, name, self.key.public_key())
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                     .sign(self.key, hashes.SHA256()))
        self.pem = self.folder / "ca.pem"
        self.pem.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))

    @staticmethod
    def _builder(subject, issuer, public_key):
        now = datetime.datetime.now(datetime.timezone.utc)
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
                .public_key(public_key).serial_number(x509.random_serial_number())
                .not_valid_before(now - datetime.timedelta(minutes=5))
                .not_valid_after(now + datetime.timedelta(days=2)))

    def issue(self, folder, *names, ip=None):
        """Write fullchain.pem and privkey.pem for ``names`` into ``folder``."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        key = ec.generate_private_key(ec.SECP256R1())
        alt = [x509.DNSName(n) for n in names]
        if ip:
            alt.append(x509.IPAddress(ipaddress.ip_address(ip)))
        cert = (self._builder(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])]),
                              self.cert.subject, key.public_key())
                .add_extension(x509.SubjectAlternativeName(alt), False)
                .sign(self.key, hashes.SHA256()))
        (folder / "fullchain.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (folder / "privkey.pem").write_bytes(key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption()))
        return folder


# A test server sized for a few requests at a time.
TEST_MPM = ("StartServers 1\nServerLimit 2\nThreadsPerChild 10\nMinSpareThreads 1\n"
            "MaxSpareThreads 20\nMaxRequestWorkers 20")
# What a VM runs: Debian's apache2.conf includes mods-enabled/mpm_event.conf.
DEBIAN_MPM = "Include /etc/apache2/mods-available/mpm_event.conf"
HTTPD_CONF = """\
# Test server: what Debian's apache2.conf provides, inside one temporary folder.
ServerRoot {root}
PidFile {root}/apache2.pid
DefaultRuntimeDir {root}/run
Mutex file:{root}/run default
ErrorLog {root}/logs/error.log
LogLevel warn
User {user}
Group {user}
{modules}
TypesConfig /etc/mime.types
LogFormat "%h %l %u %t \\"%r\\" %>s %O \\"%{{Referer}}i\\" \\"%{{User-Agent}}i\\"" combined
{mpm}
Listen 127.0.0.1:{http_port}
Listen 127.0.0.1:{https_port}
SSLSessionCache shmcb:{root}/run/ssl_scache(512000)
WSGISocketPrefix {root}/run/wsgi
<Directory />
    Options FollowSymLinks
    AllowOverride None
    Require all denied
</Directory>
Include {root}/saver.conf
"""
MODULE_NAMES = ("mpm_event", "authz_core", "mime", "dir", "alias", "rewrite", "headers",
                "ssl", "socache_shmcb", "reqtimeout", "http2", "wsgi", "log_config", "unixd",
                "setenvif")


class Apache:
    """Apache 2.4 running our rendered site template on two loopback ports."""

    def __init__(self, root, domain, app_dir, env_file, cert_dir, webroot, mpm=TEST_MPM):
        self.root = Path(root)
        self.domain = domain
        self.http_port, self.https_port = free_port(), free_port()
        self.env_file = env_file
        for sub in ("logs", "run"):
            (self.root / sub).mkdir(exist_ok=True)
        # Debian builds log_config and unixd in; loading them again is an error.
        builtin = run(["apache2", "-l"]).stdout
        modules = "\n".join(
            f"LoadModule {name}_module {MODULES}/mod_{name}.so" for name in MODULE_NAMES
            if f"mod_{name}.c" not in builtin)
        self.conf = self.root / "httpd.conf"
        self.conf.write_text(HTTPD_CONF.format(
            root=self.root, user=DAEMON_USER, modules=modules, mpm=mpm,
            http_port=self.http_port, https_port=self.https_port))
        (self.root / "saver.conf").write_text(render(
            "apache/saver.conf.template", DOMAIN=domain, HTTP_PORT=self.http_port,
            HTTPS_PORT=self.https_port, APP_DIR=app_dir, VENV=VENV, USER=DAEMON_USER,
            GROUP=DAEMON_USER, WEBROOT=webroot, CERT_DIR=cert_dir, LOG_DIR=self.root / "logs"))

    @property
    def environment(self):
        """Environment for apache2ctl (and certbot's deploy hook) to reach this server."""
        return {**os.environ, "SAVER_ENV_FILE": str(self.env_file),
                "APACHE_ARGUMENTS": f"-f {self.conf}"}

    def ctl(self, *args, check=True):
        # The full path: mod_wsgi writes display-name over argv[0], no longer than it.
        return run(["/usr/sbin/apache2", "-f", str(self.conf), *args], check=check,
                   env=self.environment)

    def master_pid(self):
        return int((self.root / "apache2.pid").read_text())

    def start(self):
        self.ctl("-k", "start")
        wait_for_port(self.http_port)
        wait_for_port(self.https_port)

    def stop(self):
        """Stop the server and wait until its master process is gone."""
        pid_file = self.root / "apache2.pid"
        if not pid_file.exists():
            return
        pid = self.master_pid()
        self.ctl("-k", "stop", check=False)
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(0.05)
        os.kill(pid, signal.SIGKILL)
        raise AssertionError("Apache did not stop within 15 s")

    def error_log(self):
        return "".join(p.read_text(errors="replace") for p in (self.root / "logs").glob("*error*"))


def curl(url, *args, resolve=False, cacert=None):
    """Fetch ``url`` with curl; return (status, headers as a dict of lists, body).

    With ``resolve``, the URL's host name (it must name a port) means 127.0.0.1.
    """
    command = ["curl", "-sS", "--max-time", "20", "-D", "-", "-o", "-", "--http1.1"]
    if resolve:
        command += ["--resolve", url.split("/")[2] + ":127.0.0.1"]
    if cacert:
        command += ["--cacert", str(cacert)]
    result = run([*command, *args, url])
    # Text mode has already turned the header lines' CRLF into LF.
    head, _, body = result.stdout.partition("\n\n")
    lines = head.split("\n")
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.setdefault(name.strip().lower(), []).append(value.strip())
    return int(lines[0].split()[1]), headers, body


class Pebble:
    """Debian's pebble ACME server, resolving names through pebble-challtestsrv."""

    def __init__(self, http_port):
        self.folder = shared_tempdir("saver-pebble-")
        self.port, self.management_port = free_port(), free_port()
        ca = CertificateAuthority(self.folder)
        ca.issue(self.folder, "localhost", ip="127.0.0.1")
        self.ca_bundle = ca.pem
        config = {"pebble": {
            "listenAddress": f"127.0.0.1:{self.port}",
            "managementListenAddress": f"127.0.0.1:{self.management_port}",
            "certificate": str(self.folder / "fullchain.pem"),
            "privateKey": str(self.folder / "privkey.pem"),
            "httpPort": http_port, "tlsPort": free_port(),
            "ocspResponderURL": "", "externalAccountBindingRequired": False}}
        (self.folder / "pebble.json").write_text(json.dumps(config))
        self.directory = f"https://127.0.0.1:{self.port}/dir"
        self.process = None

    def start(self):
        env = {**os.environ, "PEBBLE_VA_NOSLEEP": "1", "PEBBLE_WFE_NONCEREJECT": "0",
               "PEBBLE_AUTHZREUSE": "0"}
        self.log = open(self.folder / "pebble.log", "w")
        self.process = subprocess.Popen(
            ["pebble", "-config", str(self.folder / "pebble.json"),
             "-dnsserver", "127.0.0.1:8053"], stdout=self.log, stderr=subprocess.STDOUT, env=env)
        wait_for_port(self.port, process=self.process)
        wait_for_port(self.management_port, process=self.process)

    def root_pem(self):
        """The root that signs this run's certificates (new at every start)."""
        path = self.folder / "issuing-root.pem"
        run(["curl", "-sSf", "--cacert", str(self.ca_bundle), "-o", str(path),
             f"https://127.0.0.1:{self.management_port}/roots/0"])
        return path

    def stop(self):
        stop_process(self.process)
        self.log.close()
        shutil.rmtree(self.folder, ignore_errors=True)


def start_challtestsrv():
    """Fake DNS on 127.0.0.1:8053 answering 127.0.0.1 for every name."""
    process = subprocess.Popen(
        ["pebble-challtestsrv", "-defaultIPv4", "127.0.0.1", "-defaultIPv6", "",
         "-dns01", "127.0.0.1:8053", "-http01", "", "-https01", "", "-tlsalpn01", "",
         "-management", "127.0.0.1:8055"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for_port(8055, process=process)
    return process


def stop_process(process):
    if process is not None and process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def copy_tree_for_install(destination):
    """Copy the work tree as a fresh checkout would be: no venv, caches, git or .mo files."""
    ignore = shutil.ignore_patterns(".venv", ".git", "instance", "__pycache__", "*.egg-info",
                                    ".pytest_cache", "node_modules", "test-artifacts", "*.mo")
    shutil.copytree(REPO, destination, ignore=ignore, symlinks=True)
