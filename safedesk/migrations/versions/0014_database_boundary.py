"""Database boundary: per-kind PC login roles, grants, authentic audit, sign-in guard, restricted detail.

Both databases:

- ``sign_in_guard`` / ``sign_in_attempts`` / ``sign_in_policy``: lockout state that is not read
  from the audit log (which any PC may append to), one row per login tried, known or not.
- ``audit_log.db_login``: on PostgreSQL a trigger sets it to ``session_user`` on every insert.
- ``marker_restricted.marker_id`` loses ON DELETE CASCADE: a marker with a reason is deleted
  only after its reason, and deleting reasons is a restricted action.

PostgreSQL only (SQLite is one PC and one file; SafeDesk enforces the same rules itself):

- Group roles (NOLOGIN), one per kind of PC, each a member of the narrower ones::

      safedesk_bridge        presses, device heartbeats and supervision
      safedesk_app           + every desktop PC: reads, respond/resolve/escalate, heartbeats,
                             weekly tests, movements diary, sign-in functions
      safedesk_reception     + visits and arrival warnings (reception desk)
      safedesk_responder     + visits (officers book meetings, hosts are told)
      safedesk_manager       reception + responder + markers, reviews, appeals, rota, debriefs
      safedesk_restricted    manager + the restricted register and the detail kept with it,
                             removing or un-restricting a restricted marker, purging markers
      safedesk_admin         manager + staff accounts and roles, offices, rooms, devices,
                             people imports, unlocking sign-in

- Revoke by default, then grant exactly: table verbs, column lists where it matters, USAGE only
  on the sequences of tables a role inserts into (never UPDATE: ``setval`` stopped every press).
  No ordinary kind has table-level UPDATE, DELETE or TRUNCATE on a table the press path reads,
  so none may ``LOCK TABLE`` it beyond ROW EXCLUSIVE (which blocks no press).
- Sign-in through SECURITY DEFINER functions (``safedesk_sign_in_begin`` / ``_finish``) with
  ``SET search_path = pg_catalog, public, pg_temp`` (pg_temp last, as the PostgreSQL manual's
  "Writing SECURITY DEFINER Functions Safely" says, and every table schema-qualified), no dynamic
  SQL: each begun guess is counted under a row lock before any password is checked, and the
  password is checked by the database (the PC sends the argon2 output for the stored salt, never
  sees the stored hash), so no PC can forge a success to reset the count.
- Triggers: a resolved alarm's incident record is kept as written (only debrief and appended
  follow-up change); a restricted marker is removed or taken off the register only by a
  restricted-access login.
- Existing login members of ``safedesk_app`` (the pre-0014 way) are made members of
  ``safedesk_manager`` so an upgraded office keeps working, and are named in the log: narrow each
  to its kind (README, "Database roles").

Revision ID: 0014
Revises: 0013
"""

import logging
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger("alembic.runtime.migration")

BRIDGE = "safedesk_bridge"
APP = "safedesk_app"
RECEPTION = "safedesk_reception"
RESPONDER = "safedesk_responder"
MANAGER = "safedesk_manager"
RESTRICTED = "safedesk_restricted"
ADMIN = "safedesk_admin"
KINDS = (BRIDGE, APP, RECEPTION, RESPONDER, MANAGER, RESTRICTED, ADMIN)
# Who is a member of whom (each kind has every right of the kinds it is a member of).
MEMBER_OF = {
    APP: (BRIDGE,),
    RECEPTION: (APP,),
    RESPONDER: (APP,),
    MANAGER: (RECEPTION, RESPONDER),
    RESTRICTED: (MANAGER,),
    ADMIN: (MANAGER,),
}

# Readable only by safedesk_restricted (and the owner): what seed 002 keeps on the ASB team's
# separate database. staff.password_hash is readable by nobody but the owner.
SECRET_COLUMNS = {
    "staff": ("password_hash",),
    "markers": ("not_informed_reason",),
    "marker_reviews": ("not_informed_reason",),
    "marker_evidence": ("what_happened", "source"),
}
NOBODY_READS = ("marker_restricted", "sign_in_guard", "sign_in_attempts", "sign_in_policy")
ALL_BUT_ID = "*"  # every column except the primary key

# (role, table) -> columns a role may UPDATE (column grants never allow LOCK TABLE).
UPDATE_COLUMNS: dict[str, dict[str, Sequence[str]]] = {
    BRIDGE: {
        "alarm_events": ("press_count",),
        "panic_devices": (
            "last_seen_at",
            "firmware_version",
            "offline_reported_at",
            "bound_host",
            "bound_usb_serial",
        ),
        "alarm_tests": ("pressed_at", "received_at", "latency_ms", "alarm_id"),
    },
    APP: {
        "alarm_events": (
            "acknowledged_by_id",
            "acknowledged_at",
            "escalated_at",
            "resolved_by_id",
            "resolved_at",
            "outcome",
            "notes",
        ),
        "workstations": ALL_BUT_ID,
        "alarm_tests": ALL_BUT_ID,
        "movements": ALL_BUT_ID,
        "overdue_alerts": ALL_BUT_ID,
    },
    RECEPTION: {"visits": ALL_BUT_ID, "visit_warnings": ALL_BUT_ID},
    RESPONDER: {"visits": ALL_BUT_ID, "visit_warnings": ALL_BUT_ID},
    MANAGER: {
        "alarm_events": ("debriefed_at", "debriefed_by_id", "follow_up_notes"),
        "markers": (
            "instructions",
            "instructions_note",
            "restricted",
            "contact_role",
            "review_due",
            "tenant_informed",
            "tenant_informed_at",
            "not_informed_reason",
            "status",
            "removed_at",
            "removed_reason",
            "visits_in_pairs",
        ),
        "marker_appeals": ALL_BUT_ID,
        "rota_shifts": ALL_BUT_ID,
    },
    RESTRICTED: {"marker_restricted": ("reason", "detail")},
    ADMIN: {},
}
INSERT_TABLES: dict[str, Sequence[str]] = {
    BRIDGE: ("alarm_events", "alarm_presses", "bus_events", "audit_log"),
    APP: ("alarm_responses", "workstations", "alarm_tests", "movements", "overdue_alerts"),
    RECEPTION: ("visits", "visit_warnings"),
    RESPONDER: ("visits", "visit_warnings"),
    MANAGER: (
        "markers",
        "marker_restricted",
        "marker_evidence",
        "marker_reviews",
        "marker_appeals",
        "rota_shifts",
    ),
    RESTRICTED: (),
    ADMIN: (),
}
DELETE_TABLES: dict[str, Sequence[str]] = {
    MANAGER: ("rota_shifts",),
    RESTRICTED: (
        "markers",
        "marker_restricted",
        "marker_evidence",
        "marker_reviews",
        "marker_appeals",
    ),
}
# What the bridge reads (the press path, device supervision, binding, its bus); desktop PCs
# read every table but the ones in NOBODY_READS, secret columns left out.
BRIDGE_READS = (
    "offices",
    "rooms",
    "panic_devices",
    "workstations",
    "alarm_events",
    "alarm_presses",
    "alarm_responses",
    "alarm_tests",
    "bus_events",
    "visits",
    "alembic_version",
)
# The administrator's login: whole tables (it may lock them; it is the office's IT, not a PC).
ADMIN_TABLES = (
    "offices",
    "rooms",
    "panic_devices",
    "workstations",
    "staff",
    "staff_roles",
    "people",
    "person_aliases",
    "rota_shifts",
    "sign_in_guard",
    "sign_in_attempts",
    "sign_in_policy",
)
# Per login (role settings are not inherited from groups): what bounds a stuck or hostile session.
LOGIN_SETTINGS = {
    "lock_timeout": "10s",
    "statement_timeout": "60s",
    "idle_in_transaction_session_timeout": "60s",
}


def _create_tables() -> None:
    op.create_table(
        "sign_in_guard",
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_failure_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("login_key", name=op.f("pk_sign_in_guard")),
    )
    op.create_table(
        "sign_in_attempts",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("login_key", sa.String(length=64), nullable=False),
        sa.Column("begun_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_attempts")),
    )
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_sign_in_attempts_login_key"), ["login_key"])
    policy = op.create_table(
        "sign_in_policy",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("free_attempts", sa.Integer(), nullable=False, server_default="5"),
        sa.Column("first_lock_s", sa.Integer(), nullable=False, server_default="60"),
        sa.Column("max_lock_s", sa.Integer(), nullable=False, server_default="900"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sign_in_policy")),
    )
    op.bulk_insert(policy, [{"free_attempts": 5, "first_lock_s": 60, "max_lock_s": 900}])
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.add_column(sa.Column("db_login", sa.String(length=63), nullable=True))


def _set_restricted_fk(cascade: bool) -> None:
    name = "fk_marker_restricted_marker_id_markers"
    with op.batch_alter_table("marker_restricted", schema=None) as batch_op:
        batch_op.drop_constraint(name, type_="foreignkey")
        batch_op.create_foreign_key(
            name, "markers", ["marker_id"], ["id"], ondelete="CASCADE" if cascade else None
        )


def upgrade() -> None:
    _create_tables()
    _set_restricted_fk(cascade=False)
    if op.get_bind().dialect.name != "postgresql":
        return
    _create_roles()
    _revoke_everything()
    _grant_kinds()
    _create_functions()
    _create_triggers()
    _adopt_old_logins()


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _drop_triggers()
        _drop_functions()
        _revoke_everything()
        _restore_0005_grants()
    _set_restricted_fk(cascade=True)
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_column("db_login")
    op.drop_table("sign_in_policy")
    with op.batch_alter_table("sign_in_attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sign_in_attempts_login_key"))
    op.drop_table("sign_in_attempts")
    op.drop_table("sign_in_guard")


# --- PostgreSQL: roles and grants -------------------------------------------------------------


def _create_roles() -> None:
    creates = "\n".join(
        f"""
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{kind}') THEN
        BEGIN
            CREATE ROLE {kind} NOLOGIN;
        -- Another database's upgrade made it meanwhile (roles belong to the whole server).
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;"""
        for kind in KINDS
    )
    members = "\n".join(
        f"""
    IF NOT pg_has_role('{kind}', '{group}', 'MEMBER') THEN
        BEGIN
            GRANT {group} TO {kind};
        EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
        END;
    END IF;"""
        for kind, groups in MEMBER_OF.items()
        for group in groups
    )
    op.execute(f"DO $$\nBEGIN{creates}{members}\nEND\n$$;")


def _tables() -> list[str]:
    return sorted(sa.inspect(op.get_bind()).get_table_names())


def _columns(table: str) -> list[str]:
    return [c["name"] for c in sa.inspect(op.get_bind()).get_columns(table)]


def _quoted(names: Iterable[str]) -> str:
    return ", ".join(f'"{n}"' for n in names)


def _revoke_everything() -> None:
    """Start from nothing: no PUBLIC rights, no default privileges, no grants to any kind."""
    roles = ", ".join(("PUBLIC", *KINDS))
    for statement in (
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM {APP}",
        f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {roles}",
        f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {roles}",
        f"REVOKE ALL ON SCHEMA public FROM {', '.join(KINDS)}",
        # Nobody but the owner creates objects (PostgreSQL 15 does this for new databases).
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    ):
        op.execute(statement)
    for table in _tables():  # column grants are not removed by table-level REVOKE ALL
        columns = _quoted(_columns(table))
        op.execute(f'REVOKE ALL ({columns}) ON "{table}" FROM {roles}')


def _sequence_of(table: str) -> str | None:
    bind = op.get_bind()
    for column in _columns(table):
        name = bind.execute(
            sa.text("SELECT pg_get_serial_sequence(:t, :c)"), {"t": f"public.{table}", "c": column}
        ).scalar()
        if name:
            return str(name)
    return None


def _update_columns(table: str, wanted: Sequence[str]) -> list[str]:
    present = _columns(table)
    if wanted == ALL_BUT_ID:
        key = {c for c in sa.inspect(op.get_bind()).get_pk_constraint(table)["constrained_columns"]}
        return [c for c in present if c not in key]
    return [c for c in wanted if c in present]


def _grant_kinds() -> None:
    tables = set(_tables())
    for kind in KINDS:
        op.execute(f"GRANT USAGE ON SCHEMA public TO {kind}")
    # Reading: the bridge its few tables, every desktop kind the rest; secret columns left out.
    for kind, readable in ((BRIDGE, [t for t in BRIDGE_READS if t in tables]), (APP, None)):
        for table in readable if readable is not None else sorted(tables):
            if table in NOBODY_READS:
                continue
            hidden = SECRET_COLUMNS.get(table, ())
            if hidden:
                shown = [c for c in _columns(table) if c not in hidden]
                op.execute(f'GRANT SELECT ({_quoted(shown)}) ON "{table}" TO {kind}')
            else:
                op.execute(f'GRANT SELECT ON "{table}" TO {kind}')
    for table in ("marker_restricted", "markers", "marker_reviews", "marker_evidence"):
        op.execute(f'GRANT SELECT ON "{table}" TO {RESTRICTED}')
    for kind, by_table in UPDATE_COLUMNS.items():
        for table, wanted in by_table.items():
            if table in tables and (columns := _update_columns(table, wanted)):
                op.execute(f'GRANT UPDATE ({_quoted(columns)}) ON "{table}" TO {kind}')
    sequences: dict[str, set[str]] = {}
    for kind, inserts in INSERT_TABLES.items():
        for table in inserts:
            if table in tables:
                op.execute(f'GRANT INSERT ON "{table}" TO {kind}')
                if (sequence := _sequence_of(table)) is not None:
                    sequences.setdefault(kind, set()).add(sequence)
    for kind, deletes in DELETE_TABLES.items():
        for table in deletes:
            if table in tables:
                op.execute(f'GRANT DELETE ON "{table}" TO {kind}')
    for table in ADMIN_TABLES:
        if table in tables:
            # Secret columns stay unreadable for the administrator too (column SELECT above).
            verbs = (
                "INSERT, UPDATE, DELETE"
                if table in SECRET_COLUMNS
                else "SELECT, INSERT, UPDATE, DELETE"
            )
            op.execute(f'GRANT {verbs} ON "{table}" TO {ADMIN}')
            if (sequence := _sequence_of(table)) is not None:
                sequences.setdefault(ADMIN, set()).add(sequence)
    # An INSERT's RETURNING (the new id) needs SELECT on the key, for a kind that reads nothing else.
    op.execute(f'GRANT SELECT ("id") ON audit_log TO {BRIDGE}')
    # Sequences: USAGE (nextval) only. UPDATE would allow setval, which stopped every press.
    for kind, names in sequences.items():
        for name in sorted(names):
            op.execute(f"GRANT USAGE ON SEQUENCE {name} TO {kind}")


def _restore_0005_grants() -> None:
    for statement in (
        f"GRANT USAGE ON SCHEMA public TO {APP}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {APP}",
        f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA public TO {APP}",
        f"REVOKE ALL ON marker_restricted FROM {APP}",
        f"GRANT INSERT ON marker_restricted TO {APP}",
        f"GRANT USAGE ON SCHEMA public TO {RESTRICTED}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON marker_restricted TO {RESTRICTED}",
        f"REVOKE UPDATE, DELETE, TRUNCATE ON audit_log FROM {APP}",
        f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {APP}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {APP}",
    ):
        op.execute(statement)


def _adopt_old_logins() -> None:
    """Logins made the pre-0014 way (members of safedesk_app only) keep working as managers."""
    bind = op.get_bind()
    old = bind.execute(
        sa.text(
            "SELECT r.rolname FROM pg_auth_members m"
            " JOIN pg_roles g ON g.oid = m.roleid JOIN pg_roles r ON r.oid = m.member"
            " WHERE g.rolname = :app AND r.rolcanlogin ORDER BY r.rolname"
        ),
        {"app": APP},
    ).scalars()
    for login in old:
        if (
            bind.execute(
                sa.text("SELECT pg_has_role(:login, :kind, 'MEMBER')"),
                {"login": login, "kind": RECEPTION},
            ).scalar()
            or bind.execute(
                sa.text("SELECT pg_has_role(:login, :kind, 'MEMBER')"),
                {"login": login, "kind": RESPONDER},
            ).scalar()
        ):
            continue
        op.execute(f'GRANT {MANAGER} TO "{login}"')
        for name, value in LOGIN_SETTINGS.items():
            op.execute(f"ALTER ROLE \"{login}\" SET {name} = '{value}'")
        log.warning(
            "0014: database login %s was a member of safedesk_app only; it is now a member of "
            "safedesk_manager so this PC keeps working. Narrow it to its kind of PC: "
            'REVOKE safedesk_manager FROM "%s"; GRANT safedesk_reception TO "%s"; (README: '
            "Database roles)",
            login,
            login,
            login,
        )


# --- PostgreSQL: sign-in functions ------------------------------------------------------------

_SIGN_IN_BEGIN = """
CREATE FUNCTION safedesk_sign_in_begin(
    p_login text, p_workstation text, p_free integer, p_first_lock_s integer, p_max_lock_s integer
) RETURNS TABLE (attempt_id bigint, settings text, hash_chars integer, wait_s integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_typed text := left(btrim(coalesce(p_login, '')), 64);
    v_key text := lower(left(btrim(coalesce(p_login, '')), 64));
    v_now timestamptz := clock_timestamp();
    v_free integer;
    v_first integer;
    v_max integer;
    v_failures integer;
    v_locked timestamptz;
    v_staff_id integer;
    v_login text;
    v_hash text;
    v_active boolean;
    v_segment text;
    v_lock integer;
BEGIN
    -- The PC may ask for a stricter policy than the office's, never a laxer one.
    SELECT least(coalesce(p_free, p.free_attempts), p.free_attempts),
           greatest(coalesce(p_first_lock_s, p.first_lock_s), p.first_lock_s),
           greatest(coalesce(p_max_lock_s, p.max_lock_s), p.max_lock_s)
      INTO v_free, v_first, v_max
      FROM public.sign_in_policy p ORDER BY p.id LIMIT 1;
    v_free := greatest(coalesce(v_free, 5), 1);
    v_first := greatest(coalesce(v_first, 60), 1);
    v_max := greatest(coalesce(v_max, 900), v_first);

    INSERT INTO public.sign_in_guard (login_key, failures) VALUES (v_key, 0)
        ON CONFLICT (login_key) DO NOTHING;
    -- Every PC guessing this login queues here: the count below is exact.
    SELECT g.failures, g.locked_until INTO v_failures, v_locked
      FROM public.sign_in_guard g WHERE g.login_key = v_key FOR UPDATE;
    SELECT s.id, s.login, s.password_hash, s.active INTO v_staff_id, v_login, v_hash, v_active
      FROM public.staff s WHERE lower(s.login) = v_key;
    IF NOT coalesce(v_active, false) THEN
        v_staff_id := NULL;  -- a disabled account is refused exactly like an unknown login
    END IF;

    IF v_locked IS NOT NULL AND v_now < v_locked THEN
        INSERT INTO public.audit_log (at, staff_id, actor, workstation, action, subject_type,
                                      subject_id, detail)
        VALUES (v_now, v_staff_id, coalesce(v_login, nullif(v_typed, ''), '(blank)'),
                left(p_workstation, 120), 'auth.sign_in_locked', 'staff', v_staff_id,
                '{}'::jsonb);
        attempt_id := NULL;
        settings := NULL;
        hash_chars := NULL;
        wait_s := floor(extract(epoch FROM v_locked - v_now))::integer + 1;
        RETURN NEXT;
        RETURN;
    END IF;

    -- Counted as failed now; a correct password found by _finish clears the run.
    v_failures := v_failures + 1;
    v_lock := CASE WHEN v_failures < v_free THEN 0
                   ELSE least(v_max::bigint,
                              v_first::bigint * (2::bigint ^ least(v_failures - v_free, 20)))::integer
              END;
    UPDATE public.sign_in_guard
       SET failures = v_failures,
           last_failure_at = v_now,
           locked_until = CASE WHEN v_lock > 0 THEN v_now + make_interval(secs => v_lock) END
     WHERE login_key = v_key;
    DELETE FROM public.sign_in_attempts a
     WHERE a.login_key = v_key AND a.begun_at < v_now - interval '10 minutes';
    INSERT INTO public.sign_in_attempts (login_key, begun_at) VALUES (v_key, v_now)
        RETURNING id INTO attempt_id;

    IF v_staff_id IS NOT NULL AND v_hash LIKE '$argon2%' THEN
        v_segment := substring(v_hash FROM '[^$]*$');
        settings := left(v_hash, length(v_hash) - length(v_segment) - 1);
        hash_chars := length(v_segment);
    ELSE
        -- Unknown login: the same work on a made-up salt, so the answer takes as long.
        -- (The parameters of a real hash, up to and including the "$" before its salt.)
        SELECT left(s.password_hash, length(s.password_hash)
                    - length(substring(s.password_hash FROM '[^$]*[$][^$]*$')))
          INTO settings
          FROM public.staff s WHERE s.password_hash LIKE '$argon2%' ORDER BY s.id LIMIT 1;
        settings := coalesce(settings, '$argon2id$v=19$m=65536,t=3,p=4$')
            || rtrim(encode(decode(md5(random()::text || clock_timestamp()::text), 'hex'),
                            'base64'), '=');
        hash_chars := 43;
    END IF;
    wait_s := 0;
    RETURN NEXT;
END;
$$;
"""

_SIGN_IN_FINISH = """
CREATE FUNCTION safedesk_sign_in_finish(
    p_attempt_id bigint, p_proof text, p_workstation text, p_signing_in boolean
) RETURNS TABLE (staff_id integer, locked_s integer)
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = pg_catalog, public, pg_temp
AS $$
DECLARE
    v_now timestamptz := clock_timestamp();
    v_key text;
    v_begun timestamptz;
    v_locked timestamptz;
    v_last timestamptz;
    v_staff_id integer;
    v_login text;
    v_hash text;
    v_active boolean;
BEGIN
    staff_id := NULL;
    locked_s := 0;
    -- One begun guess checks one password, once, soon after it was counted.
    DELETE FROM public.sign_in_attempts a WHERE a.id = p_attempt_id
        RETURNING a.login_key, a.begun_at INTO v_key, v_begun;
    IF v_key IS NULL OR v_begun < v_now - interval '2 minutes' THEN
        RETURN NEXT;
        RETURN;
    END IF;
    SELECT g.locked_until, g.last_failure_at INTO v_locked, v_last
      FROM public.sign_in_guard g WHERE g.login_key = v_key FOR UPDATE;
    SELECT s.id, s.login, s.password_hash, s.active INTO v_staff_id, v_login, v_hash, v_active
      FROM public.staff s WHERE lower(s.login) = v_key;
    IF coalesce(v_active, false) AND v_hash LIKE '$argon2%' AND length(coalesce(p_proof, '')) > 0
       AND substring(v_hash FROM '[^$]*$') = p_proof THEN
        UPDATE public.sign_in_guard
           SET failures = 0, last_failure_at = NULL, locked_until = NULL
         WHERE login_key = v_key;
        INSERT INTO public.audit_log (at, staff_id, actor, workstation, action, subject_type,
                                      subject_id, detail)
        VALUES (v_now, v_staff_id, v_login, left(p_workstation, 120),
                CASE WHEN coalesce(p_signing_in, true) THEN 'auth.signed_in'
                     ELSE 'auth.password_checked' END,
                'staff', v_staff_id, '{}'::jsonb);
        staff_id := v_staff_id;
    ELSE
        IF NOT coalesce(v_active, false) THEN
            INSERT INTO public.audit_log (at, staff_id, actor, workstation, action,
                                          subject_type, subject_id, detail)
            VALUES (v_now, NULL, coalesce(v_key, '(blank)'), left(p_workstation, 120),
                    'auth.sign_in_failed', 'staff', v_staff_id,
                    jsonb_build_object('why', CASE WHEN v_staff_id IS NULL THEN 'unknown login'
                                                   ELSE 'inactive account' END));
        ELSE
            INSERT INTO public.audit_log (at, staff_id, actor, workstation, action,
                                          subject_type, subject_id, detail)
            VALUES (v_now, v_staff_id, v_login, left(p_workstation, 120), 'auth.sign_in_failed',
                    'staff', v_staff_id, '{}'::jsonb);
        END IF;
        IF v_locked IS NOT NULL AND v_locked > v_now THEN
            -- The lock this guess's count set (at _begin), as the person is told it.
            locked_s := greatest(1, round(extract(epoch FROM v_locked - v_last))::integer);
        END IF;
    END IF;
    RETURN NEXT;
END;
$$;
"""

_FUNCTIONS = (
    ("safedesk_sign_in_begin(text, text, integer, integer, integer)", _SIGN_IN_BEGIN),
    ("safedesk_sign_in_finish(bigint, text, text, boolean)", _SIGN_IN_FINISH),
)


def _create_functions() -> None:
    for signature, body in _FUNCTIONS:
        op.execute(body)
        op.execute(f"REVOKE ALL ON FUNCTION {signature} FROM PUBLIC")
        op.execute(f"GRANT EXECUTE ON FUNCTION {signature} TO {APP}")


def _drop_functions() -> None:
    for signature, _body in _FUNCTIONS:
        op.execute(f"DROP FUNCTION IF EXISTS {signature}")


# --- PostgreSQL: triggers ---------------------------------------------------------------------

_TRIGGERS = (
    (
        "audit_log_stamp",
        "audit_log",
        "BEFORE INSERT",
        "safedesk_audit_stamp",
        """
BEGIN
    -- Which database login wrote the row, whatever the PC sent.
    NEW.db_login := session_user;
    RETURN NEW;
END;
""",
    ),
    (
        "alarm_events_incident_kept",
        "alarm_events",
        "BEFORE UPDATE",
        "safedesk_incident_record_kept",
        """
BEGIN
    IF OLD.follow_up_notes IS NOT NULL
       AND NEW.follow_up_notes IS DISTINCT FROM OLD.follow_up_notes
       AND (NEW.follow_up_notes IS NULL
            OR left(NEW.follow_up_notes, length(OLD.follow_up_notes)) <> OLD.follow_up_notes) THEN
        RAISE EXCEPTION 'incident % follow-up is only added to, never rewritten', OLD.id
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF OLD.resolved_at IS NOT NULL
       AND (to_jsonb(NEW) - 'debriefed_at' - 'debriefed_by_id' - 'follow_up_notes')
           IS DISTINCT FROM (to_jsonb(OLD) - 'debriefed_at' - 'debriefed_by_id' - 'follow_up_notes')
    THEN
        RAISE EXCEPTION 'alarm % is resolved: its incident record is kept as it was written',
            OLD.id USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END;
""",
    ),
    (
        "markers_restricted_guard",
        "markers",
        "BEFORE UPDATE OR DELETE",
        "safedesk_restricted_marker_guard",
        f"""
BEGIN
    IF OLD.restricted AND NOT pg_has_role(current_user, '{RESTRICTED}', 'USAGE') THEN
        IF TG_OP = 'DELETE' THEN
            RAISE EXCEPTION 'marker % is on the restricted register: only a restricted-access PC '
                'may delete it', OLD.id USING ERRCODE = 'insufficient_privilege';
        ELSIF NOT NEW.restricted THEN
            RAISE EXCEPTION 'marker % is on the restricted register: only a restricted-access PC '
                'may take it off', OLD.id USING ERRCODE = 'insufficient_privilege';
        ELSIF NEW.status IS DISTINCT FROM OLD.status AND NEW.status = 'removed' THEN
            RAISE EXCEPTION 'marker % is on the restricted register: only a restricted-access PC '
                'may remove it', OLD.id USING ERRCODE = 'insufficient_privilege';
        END IF;
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
""",
    ),
)


def _create_triggers() -> None:
    for trigger, table, when, function, body in _TRIGGERS:
        op.execute(
            f"CREATE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql "
            f"SET search_path = pg_catalog, public, pg_temp AS $${body}$$"
        )
        op.execute(f"REVOKE ALL ON FUNCTION {function}() FROM PUBLIC")
        op.execute(
            f"CREATE TRIGGER {trigger} {when} ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()"
        )


def _drop_triggers() -> None:
    for trigger, table, _when, function, _body in _TRIGGERS:
        op.execute(f"DROP TRIGGER IF EXISTS {trigger} ON {table}")
        op.execute(f"DROP FUNCTION IF EXISTS {function}()")
