#!/bin/bash
# Take a fresh Debian 12 / Ubuntu 22.04+ VM to a running extextcloud site over
# HTTPS. Safe to run again: it keeps the settings, the data and a valid
# certificate, and brings everything else up to date (this is also how to upgrade).
set -euo pipefail

APP_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
VENV=$APP_DIR/.venv
SERVICE_USER=saver
CONF_DIR=/etc/saver
ENV_FILE=$CONF_DIR/saver.env
DATA_DIR=/var/lib/saver
BACKUP_DIR=/var/backups/saver
WEBROOT=/var/www/letsencrypt
LOG_DIR=/var/log/apache2
LETSENCRYPT_DIR=/etc/letsencrypt
UNIT_DIR=/etc/systemd/system
PACKAGES=(apache2 libapache2-mod-wsgi-py3 python3-venv certbot curl ca-certificates gzip
          redis-server)
REDIS_CONF=/etc/redis/redis.conf
REDIS_SAVER_CONF=/etc/redis/saver.conf
# Apache runs several daemon processes: they count rate limits together here.
REDIS_URL=redis://127.0.0.1:6379/0
RENDER=$APP_DIR/scripts/render-template

DOMAIN=
EMAIL=
DB_URL=
ACME_SERVER=https://acme-v02.api.letsencrypt.org/directory

usage() {
    cat <<'USAGE'
Usage: sudo scripts/install.sh --domain DOMAIN --email EMAIL [options]

Installs extextcloud from this checkout (clone it to /opt/saver first):
Debian packages, the "saver" user, the venv, a Redis on 127.0.0.1 for the
rate limits, the settings file (a copy of saver.env.example with a new
SECRET_KEY), the database schema and the code
pool, the Apache site for DOMAIN and www.DOMAIN, a Let's Encrypt
certificate, and the systemd timers.
Run it again after "git pull" to upgrade.

Options:
  --domain DOMAIN     the bare domain (www.DOMAIN is added); both must point here
  --email EMAIL       Let's Encrypt's contact for expiry notices
  --db-url URL        the database (default: SQLite in /var/lib/saver);
                      e.g. postgresql://saver:PASSWORD@db.internal/saver
  --acme-server URL   the ACME directory (default: Let's Encrypt production;
                      staging: https://acme-staging-v02.api.letsencrypt.org/directory)
  -h, --help          this help
USAGE
}

fail() {
    echo "install.sh: $*" >&2
    exit 2
}

step() {
    echo "==> $*"
}

parse_arguments() {
    while [[ $# -gt 0 ]]; do
        case $1 in
            -h | --help) usage; exit 0 ;;
            --domain | --email | --db-url | --acme-server)
                [[ $# -ge 2 && -n $2 ]] || fail "$1 needs a value"
                case $1 in
                    --domain) DOMAIN=${2,,} ;;
                    --email) EMAIL=$2 ;;
                    --db-url) DB_URL=$2 ;;
                    --acme-server) ACME_SERVER=$2 ;;
                esac
                shift 2
                ;;
            *) fail "unknown argument '$1' (try --help)" ;;
        esac
    done
    [[ -n $DOMAIN ]] || fail "--domain is required (try --help)"
    [[ -n $EMAIL ]] || fail "--email is required (try --help)"
    [[ $DOMAIN =~ ^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]*[a-z0-9])?$ ]] ||
        fail "--domain: '$DOMAIN' is not a domain name"
    [[ $DOMAIN != www.* ]] || fail "--domain: give the bare domain; www.${DOMAIN#www.} is added"
    [[ $EMAIL =~ ^[^@[:space:]]+@[^@[:space:]]+\.[^@[:space:]]+$ ]] ||
        fail "--email: '$EMAIL' is not an email address"
    [[ -z $DB_URL || $DB_URL =~ ^(sqlite:///|postgres(ql)?(\+psycopg)?://). ]] ||
        fail "--db-url: expected sqlite:///PATH or postgresql://USER:PASSWORD@HOST/DB"
    # The units may write only there (ProtectSystem=strict).
    [[ ! $DB_URL =~ ^sqlite: || $DB_URL == sqlite:///$DATA_DIR/* ]] ||
        fail "--db-url: a SQLite file must be in $DATA_DIR/"
    [[ $ACME_SERVER =~ ^https?://[^[:space:]]+$ ]] || fail "--acme-server: expected a URL"
}

check_machine() {
    [[ $EUID -eq 0 ]] || fail "run as root (sudo scripts/install.sh ...)"
    command -v apt-get >/dev/null || fail "needs a Debian or Ubuntu machine (apt-get)"
    # The units hide /home, /root and /tmp from the jobs they run.
    case $APP_DIR/ in
        /home/* | /root/* | /tmp/* | /var/tmp/*)
            fail "the code is in $APP_DIR; clone it somewhere like /opt/saver instead" ;;
    esac
}

install_packages() {
    local wanted=("${PACKAGES[@]}") missing=() package
    [[ ! $DB_URL =~ ^postgres ]] || wanted+=(postgresql-client)  # pg_dump for backups
    for package in "${wanted[@]}"; do
        dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q ' installed$' ||
            missing+=("$package")
    done
    if [[ ${#missing[@]} -eq 0 ]]; then
        step "Debian packages already installed"
        return
    fi
    step "Installing ${missing[*]}"
    apt-get -o DPkg::Lock::Timeout=300 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
        "${missing[@]}"
}

make_user_and_folders() {
    step "User $SERVICE_USER and folders"
    id "$SERVICE_USER" >/dev/null 2>&1 ||
        useradd --system --home-dir "$DATA_DIR" --no-create-home --shell /usr/sbin/nologin \
            "$SERVICE_USER"
    install -d -o root -g "$SERVICE_USER" -m 0750 "$CONF_DIR"
    install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0750 "$DATA_DIR"
    install -d -o "$SERVICE_USER" -g "$SERVICE_USER" -m 0700 "$BACKUP_DIR"
    install -d -o root -g root -m 0755 "$WEBROOT" "$APP_DIR/instance"
    # The daemon reads the code as $SERVICE_USER; Apache serves the page as www-data.
    local user
    for user in "$SERVICE_USER" www-data; do
        runuser -u "$user" -- test -r "$APP_DIR/saver.wsgi" ||
            fail "$user cannot read $APP_DIR: make it and its parents world-readable"
    done
}

make_venv() {
    step "Python venv in $VENV"
    # mod_wsgi embeds Debian's python3: the venv must be built from the same one.
    if [[ -f $VENV/pyvenv.cfg ]] && ! grep -qx 'home = /usr/bin' "$VENV/pyvenv.cfg"; then
        fail "$VENV was not made by /usr/bin/python3; remove it and run again"
    fi
    [[ -x $VENV/bin/python ]] || /usr/bin/python3 -m venv "$VENV"
    # The versions the tests passed on, then the app itself.
    "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$APP_DIR/requirements.lock"
    "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -e "$APP_DIR"
    # The pages' and the LINE bot's languages: git holds the catalogs, not what they compile to.
    "$VENV/bin/pybabel" --quiet compile --directory "$APP_DIR/saver/translations"
}

write_settings() {
    local database=$DB_URL
    if [[ ! -f $ENV_FILE ]]; then
        step "Settings in $ENV_FILE (a copy of saver.env.example, new SECRET_KEY)"
        install -o root -g "$SERVICE_USER" -m 0640 "$APP_DIR/saver.env.example" "$ENV_FILE"
        # python-dotenv's set_key, as "dotenv set" below, with the key made in
        # Python: a command line (ps shows it to every user) never holds it.
        "$VENV/bin/python" -c 'import secrets, sys, dotenv
dotenv.set_key(sys.argv[1], "SECRET_KEY", secrets.token_hex(32))' "$ENV_FILE"
        database=${DB_URL:-sqlite:///$DATA_DIR/saver.db}
        "$VENV/bin/dotenv" -f "$ENV_FILE" set RATELIMIT_STORAGE_URI "$REDIS_URL" >/dev/null
    else
        step "Settings in $ENV_FILE kept"
    fi
    if [[ -n $database ]]; then
        "$VENV/bin/dotenv" -f "$ENV_FILE" set DATABASE_URL "$database" >/dev/null
    fi
    chown root:"$SERVICE_USER" "$ENV_FILE"
    chmod 0640 "$ENV_FILE"
}

configure_redis() {
    step "Redis on 127.0.0.1:6379 for the rate limits (nothing kept on disk)"
    cat >"$REDIS_SAVER_CONF" <<'REDIS'
# extextcloud: rate-limit counts, which live for minutes to a day. Only this
# machine may reach them, and nothing is written to disk.
bind 127.0.0.1
protected-mode yes
save ""
appendonly no
REDIS
    grep -qx "include $REDIS_SAVER_CONF" "$REDIS_CONF" \
        || echo "include $REDIS_SAVER_CONF" >>"$REDIS_CONF"
    if systemd_running; then
        systemctl enable --quiet redis-server
        systemctl restart redis-server
    elif redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
        # Started by hand: it takes the settings now, the file keeps them.
        redis-cli -h 127.0.0.1 -p 6379 CONFIG SET save "" >/dev/null
        redis-cli -h 127.0.0.1 -p 6379 CONFIG SET appendonly no >/dev/null
    else
        install -d -o redis -g redis -m 0755 /run/redis
        runuser -u redis -- redis-server "$REDIS_CONF"
    fi
    for _ in $(seq 50); do
        redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && return
        sleep 0.1
    done
    fail "Redis does not answer on 127.0.0.1:6379 (see /var/log/redis/redis-server.log)"
}

prepare_database() {
    step "Database schema and code pool"
    saverctl flask db upgrade
    saverctl seed
}

saverctl() {
    SAVER_ENV_FILE=$ENV_FILE SAVER_USER=$SERVICE_USER SAVER_VENV=$VENV \
        "$APP_DIR/scripts/saverctl" "$@"
}

systemd_running() {
    [[ -d /run/systemd/system ]]
}

apache_running() {
    local pid_file
    # Debian's envvars reads unset variables: not under set -u.
    # shellcheck source=/dev/null
    pid_file=$(set +u && . /etc/apache2/envvars && echo "$APACHE_PID_FILE")
    [[ -f $pid_file ]] && kill -0 "$(<"$pid_file")" 2>/dev/null
}

reload_apache() {
    apache2ctl configtest
    if systemd_running; then
        systemctl enable --quiet apache2
        systemctl reload-or-restart apache2
    elif apache_running; then
        apache2ctl graceful
    else
        apache2ctl start
    fi
}

configure_apache() {
    step "Apache site for $DOMAIN and www.$DOMAIN"
    a2enmod -q alias headers mime reqtimeout rewrite setenvif ssl http2 wsgi >/dev/null
    "$RENDER" "$APP_DIR/apache/saver.conf.template" DOMAIN="$DOMAIN" HTTP_PORT=80 \
        HTTPS_PORT=443 APP_DIR="$APP_DIR" VENV="$VENV" USER="$SERVICE_USER" \
        GROUP="$SERVICE_USER" WEBROOT="$WEBROOT" CERT_DIR="$LETSENCRYPT_DIR/live/$DOMAIN" \
        LOG_DIR="$LOG_DIR" >/etc/apache2/sites-available/saver.conf
    a2ensite -q saver >/dev/null
    # Our port-80 host must answer requests for any name, e.g. by IP address.
    a2dissite -q 000-default >/dev/null 2>&1 || true
    reload_apache
}

get_certificate() {
    step "Let's Encrypt certificate for $DOMAIN and www.$DOMAIN"
    "$RENDER" "$APP_DIR/letsencrypt/cli.ini.template" ACME_SERVER="$ACME_SERVER" \
        EMAIL="$EMAIL" WEBROOT="$WEBROOT" DEPLOY_HOOK="$APP_DIR/letsencrypt/deploy-hook" \
        CONFIG_DIR="$LETSENCRYPT_DIR" WORK_DIR=/var/lib/letsencrypt \
        LOGS_DIR=/var/log/letsencrypt >"$CONF_DIR/certbot.ini"
    certbot --config "$CONF_DIR/certbot.ini" certonly --cert-name "$DOMAIN" \
        -d "$DOMAIN" -d "www.$DOMAIN"
    # The deploy hook reloads Apache only when a certificate is new.
    reload_apache
}

install_units() {
    step "systemd units in $UNIT_DIR"
    install -d -m 0755 "$UNIT_DIR/saver-.service.d"
    local name
    for name in saver-sweep.service saver-seed.service; do
        "$RENDER" "$APP_DIR/systemd/$name" VENV="$VENV" >"$UNIT_DIR/$name"
    done
    "$RENDER" "$APP_DIR/systemd/saver-backup.service" VENV="$VENV" APP_DIR="$APP_DIR" \
        BACKUP_DIR="$BACKUP_DIR" >"$UNIT_DIR/saver-backup.service"
    "$RENDER" "$APP_DIR/systemd/saver-.service.d/sandbox.conf" USER="$SERVICE_USER" \
        GROUP="$SERVICE_USER" ENV_FILE="$ENV_FILE" DATA_DIR="$DATA_DIR" \
        >"$UNIT_DIR/saver-.service.d/sandbox.conf"
    install -m 0644 "$APP_DIR/systemd/saver-sweep.timer" "$APP_DIR/systemd/saver-backup.timer" \
        "$UNIT_DIR/"
    if systemd_running; then
        systemctl daemon-reload
        systemctl enable --quiet saver-seed.service
        systemctl enable --quiet --now saver-sweep.timer saver-backup.timer
    else
        echo "systemd is not PID 1 on this machine: the units are installed but the timers"
        echo "are not enabled. Run 'saverctl sweep' every minute some other way (or"
        echo "'saverctl flask scheduler'), and 'saverctl backup' daily."
    fi
}

check_site() {
    step "Checking https://www.$DOMAIN/"
    # Through this machine's own Apache; the certificate chain was checked by certbot.
    curl -fsS --insecure --resolve "www.$DOMAIN:443:127.0.0.1" \
        "https://www.$DOMAIN/api/v1/health" >/dev/null ||
        fail "the site does not answer: see $LOG_DIR/saver-error.log"
}

main() {
    parse_arguments "$@"
    check_machine
    install_packages
    make_user_and_folders
    make_venv
    configure_redis
    write_settings
    prepare_database
    configure_apache
    get_certificate
    install_units
    check_site
    cat <<DONE

extextcloud runs at https://www.$DOMAIN/
  settings     $ENV_FILE (then: apache2ctl graceful)
  data         $DATA_DIR, backups in $BACKUP_DIR
  site         /etc/apache2/sites-available/saver.conf, logs in $LOG_DIR/saver-*.log
  certificate  $LETSENCRYPT_DIR/live/$DOMAIN (renewed by Debian's certbot.timer)
  operations   $APP_DIR/scripts/saverctl --help
DONE
}

main "$@"
