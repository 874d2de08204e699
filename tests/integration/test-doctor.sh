#!/bin/bash
# cg-adopt doctor: for each broken setup, first the lxc-* command itself
# failing from the session, then doctor naming the cause (exit 1):
#   wrong gid       the same uid with another real gid (setpriv --regid)
#   other lxcpath   HOME differs, so liblxc computes another lxcpath
#   other netns     the command socket is abstract, one per netns
#   no cgroups      a container started from a root-owned cgroup
#   not enterable   the foreign layout on cgroup2 (lxc-attach fails)
# and exit 0 on the owned layout, exit 3 for a stopped container.

. "$(dirname "$0")/lib.sh"

t_require_root
t_require_cg_adopt

USER_D=cgadopt-d
USER_F=cgadopt-f

t_ok "make the test cgroup in every hierarchy" ti_cg_base || t_bail "no cgroups"
t_ok "create users $USER_D and $USER_F" \
  eval 'ti_user_add "$USER_D" && ti_user_add "$USER_F"' || t_bail "no user"
t_ok "lay out the foreign tree for $USER_F" ti_layout_foreign "$USER_F" ||
  t_bail "no layout"
F_SERVICE=$TI_SERVICE
F_SESSION=$TI_SESSION
t_ok "lay out the owned tree for $USER_D" ti_layout_owned "$USER_D" || t_bail "no layout"
t_ok "make a root-owned cgroup nocg" ti_cg_mkdir nocg
for ct in c1 c2 c3; do
  t_ok "create container $ct for $USER_D" ti_ct_create "$USER_D" "$ct" ||
    t_bail "no container"
done
t_ok "create container c1 for $USER_F" ti_ct_create "$USER_F" c1 || t_bail "no container"
t_ok "$USER_D's c1 starts from own/service" ti_ct_start "$USER_D" c1 ||
  t_bail "no container"
t_ok "$USER_D's c2 starts from the root-owned nocg" ti_ct_start "$USER_D" c2 nocg ||
  t_bail "no container"
t_ok "$USER_F's c1 starts from the foreign service cgroup" \
  ti_ct_start "$USER_F" c1 "$F_SERVICE" || t_bail "no container"

# doctor USER FROM ARG...: cg-adopt doctor as USER from BASE/FROM.
doctor() {
  local user=$1 from=$2
  shift 2
  ti_cg_adopt_in "$from" "$user" doctor "$@"
}

# expect_fail DESC CHECK REGEX: the last capture exited 1, and its FAIL line
# for CHECK matches REGEX and is followed by a fix.
expect_fail() {
  t_eq "$1: doctor exits 1" 1 "$TI_RC"
  t_ok "$1: doctor names it: $2" grep -qE "^fail  $2: .*$3" <<<"$TI_STDOUT"
  t_ok "$1: ... with a fix" grep -A1 -E "^fail  $2: " <<<"$TI_STDOUT" |
    grep -q '^      fix: '
}

# --- the good setup ----------------------------------------------------------------

ti_capture doctor "$USER_D" "$TI_SESSION" c1
t_eq "owned: doctor from the session exits 0" 0 "$TI_RC"
t_note <<<"$TI_STDOUT"
t_eq "owned: ... with no failed check" 0 "$(grep -c '^fail' <<<"$TI_STDOUT")"
t_ok "owned: ... and checks every hierarchy's root" test \
  "$(grep -c '^ok    enter ' <<<"$TI_STDOUT")" -eq "${#TI_H_KEY[@]}"
ti_capture doctor "$USER_D" "$TI_SESSION" --json c1
t_eq "owned: --json says ok" true "$(jq .ok <<<"$TI_STDOUT")"

# --- wrong gid ------------------------------------------------------------------------

# as_gid CMD...: as USER_D from the session, with nogroup as its real gid.
as_gid() {
  local uid home
  uid=$(id -u "$USER_D") home=$(ti_user_home "$USER_D")
  (ti_cg_join "$TI_SESSION" && cd "$home" &&
    exec env -i HOME="$home" USER="$USER_D" PATH="$TI_PATH" \
      setpriv --reuid "$uid" --regid 65534 --clear-groups -- "$@")
}
t_fail "wrong gid: lxc-cgroup pids.current fails" any as_gid lxc-cgroup -n c1 pids.current
t_fail "wrong gid: lxc-stop fails" any as_gid timeout "$TI_TIMEOUT" lxc-stop -k -n c1
ti_capture as_gid "$CG_ADOPT" doctor c1
t_note <<<"$TI_STDOUT"
expect_fail "wrong gid" credentials "gid $(id -g "$USER_D"), this session as uid $(id -u "$USER_D") gid 65534"

# --- other lxcpath ------------------------------------------------------------------------

other_home=$(mktemp -d /tmp/cgadopt-home.XXXXXX)
ti_cleanup_push "rm -rf $other_home"
chown "$USER_D:" "$other_home"
t_fail "HOME differs: lxc-info -n c1 fails" any \
  ti_run_in "$TI_SESSION" "$USER_D" env HOME="$other_home" lxc-info -n c1
ti_capture ti_run_in "$TI_SESSION" "$USER_D" env HOME="$other_home" "$CG_ADOPT" doctor c1
expect_fail "HOME differs" lxcpath "look in lxcpath '$other_home/.local/share/lxc'.*runs from '$(ti_ct_lxcpath "$USER_D")'"
t_ok "HOME differs: ... the fix names -P and the right HOME" \
  grep -q "fix: pass -P '$(ti_ct_lxcpath "$USER_D")'.*HOME=$(ti_user_home "$USER_D")" <<<"$TI_STDOUT"

# --- other network namespace -----------------------------------------------------------------

lxcpath_d=$(ti_ct_lxcpath "$USER_D")
t_fail "other netns: lxc-cgroup fails, even for root" any \
  unshare --net -- lxc-cgroup -P "$lxcpath_d" -n c1 pids.current
ti_capture unshare --net -- "$CG_ADOPT" doctor -P "$lxcpath_d" c1
expect_fail "other netns" netns "this session is in network namespace net:.*command socket"

# --- no cgroups ---------------------------------------------------------------------------------

t_fail "nocg: lxc-freeze of c2 fails" 1 ti_run_in "$TI_SESSION" "$USER_D" lxc-freeze -n c2
ti_capture doctor "$USER_D" "$TI_SESSION" c2
expect_fail "nocg" cgroups "started without cgroups"
t_ok "nocg: ... the fix is cg-adopt delegate" grep -q "fix: .*cg-adopt delegate" <<<"$TI_STDOUT"

# --- not enterable: the foreign layout on cgroup2 -------------------------------------------------

if ti_h_index unified >/dev/null; then
  rc=0
  ti_run_in "$F_SESSION" "$USER_F" timeout "$TI_TIMEOUT" lxc-attach -n c1 -- true \
    >/dev/null 2>&1 || rc=$?
  t_eq "foreign: lxc-attach from the session fails (exit 1)" 1 "$rc"
  ti_capture doctor "$USER_F" "$F_SESSION" c1
  t_note <<<"$TI_STDOUT"
  expect_fail "foreign" "enter cgroup2" "common ancestor"
  t_eq "foreign: ... and only on cgroup2" 1 "$(grep -c '^fail  enter' <<<"$TI_STDOUT")"
else
  t_skip "foreign: not enterable" "no cgroup2 hierarchy here"
fi

# --- a stopped container -------------------------------------------------------------------------

ti_capture doctor "$USER_D" "$TI_SESSION" c3
t_eq "stopped c3: doctor exits 3" 3 "$TI_RC"
t_ok "stopped c3: ... and says it is not running" grep -q "is not running" <<<"$TI_STDOUT"

t_ok "doctor --help exits 0" "$CG_ADOPT" doctor --help
t_fail "doctor without NAME is a usage error" 2 "$CG_ADOPT" doctor
t_fail "doctor with two NAMEs is a usage error" 2 "$CG_ADOPT" doctor c1 c2

t_done
