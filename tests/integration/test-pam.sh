#!/bin/bash
# cg-adopt delegate from a real PAM session: pamtester opens a session of a
# test PAM service whose session stack runs, through pam_exec,
#   1. 'cg-adopt delegate --cgroup ...' without --user (pam_exec gives it
#      PAM_USER), which moves its parent, the process that opened the
#      session (pamtester), into the user's leaf;
#   2. a recorder that writes down its parent's /proc/PID/cgroup and its
#      own environment.
# The service file is /etc/pam.d/cgadopt-test-PID, made and removed here;
# the machine's own login stack is never touched.  The session opens as
# root from the root-owned BASE/nocg, the place of a login that nobody
# delegated anything to.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

if ! command -v pamtester >/dev/null; then
  apt-get install -y --no-install-recommends pamtester >/dev/null 2>&1
fi
if ! command -v pamtester >/dev/null; then
  t_skip "PAM sessions" "pamtester is missing and could not be installed"
  t_done
  exit 0
fi

USER_A=cgadopt-pm
USER_B=cgadopt-pn
SERVICE=cgadopt-test-$$
PAMFILE=/etc/pam.d/$SERVICE

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create user $USER_A" ti_user_add "$USER_A" || t_bail "no user"
t_ok "create user $USER_B" ti_user_add "$USER_B" || t_bail "no user"
t_ok "make the root-owned login cgroup nocg" ti_cg_mkdir nocg || t_bail "no cgroup"

CTRL=$(ti_dg_controllers)
DG=$(ti_dg_path deleg) || t_bail "the test's own cgroups differ outside memory"
UID_A=$(id -u "$USER_A")

TMP=$(mktemp -d /tmp/cgadopt-pam.XXXXXX)
ti_cleanup_push "rm -rf $TMP"
ti_cleanup_push "rm -f $PAMFILE"

# The recorder: pam_exec runs it as a child of the process that opened the
# session.  $1 names the output files.
cat >"$TMP/record" <<'EOF'
#!/bin/sh
cat /proc/$PPID/cgroup >"$1.cgroup"
env | sort >"$1.env"
EOF
chmod 0755 "$TMP/record"

# pam_file [DELEGATE-ARGS...]: the test service, with a pam_exec line for
# 'cg-adopt delegate DELEGATE-ARGS' when there are any.  Optional, as it
# would be in a real stack: a failure must not lock the user out.  Its
# output goes to $TMP/delegate.log.
pam_file() {
  {
    echo "auth     required pam_permit.so"
    echo "account  required pam_permit.so"
    if [ $# -gt 0 ]; then
      echo "session  optional pam_exec.so type=open_session log=$TMP/delegate.log $CG_ADOPT delegate $*"
    fi
    echo "session  optional pam_exec.so $TMP/record $TMP/out"
  } >"$PAMFILE"
  rm -f "$TMP/delegate.log" "$TMP/out.cgroup" "$TMP/out.env"
}

# open_session USER: pamtester opens a session of USER, as root, from
# BASE/nocg.
open_session() {
  (ti_cg_join nocg && exec pamtester "$SERVICE" "$1" open_session)
}

recorded() {
  ti_cgroups_read <"$TMP/out.cgroup"
}

# --- without cg-adopt ------------------------------------------------------------

pam_file
t_ok "no cg-adopt line: pamtester opens a session of $USER_A" open_session "$USER_A"
t_eq "... the session stays in the root-owned nocg everywhere" \
  "$(ti_expect_cgroups BASE/nocg)" "$(recorded)"

# --- with cg-adopt delegate -------------------------------------------------------

pam_file --cgroup "$DG" --controllers "$CTRL"
t_note "$(grep cg-adopt "$PAMFILE")"
t_ok "cg-adopt line: pamtester opens a session of $USER_A" open_session "$USER_A"
t_eq "... the session is in deleg/session (memory: still nocg)" \
  "$(ti_dg_expect BASE/deleg/session BASE/nocg)" "$(recorded)"
t_eq "... deleg/session belongs to $USER_A everywhere but memory" \
  "$(ti_dg_expect "$USER_A" -)" "$(ti_dg_owners deleg/session)"
t_eq "... deleg belongs to $USER_A everywhere but memory" \
  "$(ti_dg_expect "$USER_A" -)" "$(ti_dg_owners deleg)"
# pam_exec's log starts each run with a "*** DATE" line of its own.
t_eq "... delegate printed nothing" "" "$(grep -v '^\*\*\* ' "$TMP/delegate.log" 2>/dev/null)"
t_eq "pam_exec's environment has PAM_USER and PAM_TYPE" \
  "PAM_SERVICE=$SERVICE PAM_TYPE=open_session PAM_USER=$USER_A" \
  "$(grep -E '^PAM_(USER|TYPE|SERVICE)=' "$TMP/out.env" | xargs)"

before=$(ti_dg_tree deleg)
t_ok "a second session of $USER_A" open_session "$USER_A"
t_eq "... lands in the same leaf" \
  "$(ti_dg_expect BASE/deleg/session BASE/nocg)" "$(recorded)"
t_eq "... and changes nothing in the tree" "$before" "$(ti_dg_tree deleg)"

# Another user's session with the same --cgroup: delegate refuses, and the
# optional line lets the login go on where it was.
t_ok "a session of $USER_B with the same --cgroup still opens" open_session "$USER_B"
t_eq "... but stays in nocg" "$(ti_expect_cgroups BASE/nocg)" "$(recorded)"
t_error_line "... delegate said why, in one line" \
  "$(grep -v '^\*\*\* ' "$TMP/delegate.log" 2>/dev/null)" "belongs to uid $UID_A"
t_eq "... and the tree is still $USER_A's, unchanged" "$before" "$(ti_dg_tree deleg)"

# A stack that makes the line required sees delegate's exit code.
pam_file --cgroup "$DG" --controllers "$CTRL"
sed -i 's/^session  optional pam_exec.so type/session  required pam_exec.so type/' "$PAMFILE"
t_fail "the same, required: the session of $USER_B fails to open" any \
  open_session "$USER_B"
t_ok "... while $USER_A's opens" open_session "$USER_A"

# Outside PAM, without --user, there is nobody to delegate to.
ti_capture env -u PAM_USER "$CG_ADOPT" delegate --cgroup "$DG" --controllers "$CTRL"
t_eq "no --user and no PAM_USER: exit code 2" 2 "$TI_RC"
t_error_line "... asks for --user" "$TI_STDERR" "--user"

# A relative --cgroup is below the caller's own cgroup in every hierarchy,
# so it may include memory: BASE/nocg/user-B.
pam_file --cgroup "user-$USER_B"
t_ok "relative --cgroup: a session of $USER_B opens" open_session "$USER_B"
t_eq "... and is in nocg/user-$USER_B/session in every hierarchy, memory too" \
  "$(ti_expect_cgroups "BASE/nocg/user-$USER_B/session")" "$(recorded)"
t_eq "... which belongs to $USER_B everywhere" "$(ti_expect_by_version "$USER_B" "$USER_B" :)" \
  "$(ti_dg_owners "nocg/user-$USER_B/session")"

# --user, when given, wins over PAM_USER.
pam_file --user "$USER_A" --cgroup "$DG" --controllers "$CTRL" --leaf other
t_ok "--user $USER_A in the stack: a session of $USER_B opens" open_session "$USER_B"
t_eq "... and is in $USER_A's deleg/other" \
  "$(ti_dg_expect BASE/deleg/other BASE/nocg)" "$(recorded)"

# --- the example stack of lxc-config/pam-session.example ----------------------------

# Its lines as they are, with this tree's binary and the test's cgroup.
example_stack() {
  echo "auth     required pam_permit.so"
  echo "account  required pam_permit.so"
  grep -v '^#' "$TI_REPO/lxc-config/pam-session.example" |
    sed -e "s|/usr/local/bin/cg-adopt delegate|$CG_ADOPT delegate --cgroup $DG --controllers $CTRL --leaf example|"
  echo "session  optional pam_exec.so $TMP/record $TMP/out"
}

example_stack >"$PAMFILE"
rm -f "$TMP/out.cgroup"
t_ok "example stack: a session of $USER_A opens" open_session "$USER_A"
t_eq "... and is in deleg/example" \
  "$(ti_dg_expect BASE/deleg/example BASE/nocg)" "$(recorded)"
rm -f "$TMP/out.cgroup"
t_ok "example stack: a session of root opens" open_session root
t_eq "... and stays in nocg (uid < 1000 is skipped)" \
  "$(ti_expect_cgroups BASE/nocg)" "$(recorded)"

t_done
