# The shell recipe a user writes without cg-adopt: ask lxc-info for the
# init, then one write per hierarchy into the parent of the init's cgroup.
#   sh recipe.sh LXCPATH NAME COMMAND [ARG...]
pid=$(lxc-info -P "$1" -n "$2" -pH) || exit 3
while IFS=: read -r id ctrl path; do
  case "$ctrl" in
    "") dir=unified ;;
    name=systemd) dir=systemd ;;
    *) dir=$ctrl ;;
  esac
  echo $$ > "/sys/fs/cgroup/$dir${path%/*}/cgroup.procs" || exit 1
done < "/proc/$pid/cgroup"
shift 2
exec "$@"
