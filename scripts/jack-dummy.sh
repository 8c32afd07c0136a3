#!/usr/bin/env bash
# jack-dummy.sh — a pretend sound card for `phonon play` on machines without one (CI, containers,
# headless servers). It starts JACK's dummy driver, which consumes audio in real time like a real
# card, and routes ALSA's default device to it, so `phonon play` (and any ALSA program) plays
# into it at the right pace.
#
# Usage:
#   scripts/jack-dummy.sh [RATE [PERIOD]] [--dir DIR] [--force]   start (defaults: 48000 Hz, 512 frames)
#   scripts/jack-dummy.sh --stop [--dir DIR]                      stop the jackd it started, remove the .asoundrc
#
#   --dir DIR  where to write the .asoundrc (default: $ASOUNDRC_DIR, else $HOME). ALSA reads
#              $HOME/.asoundrc, so with a DIR other than $HOME run programs as `HOME=DIR phonon play …`.
#   --force    replace an existing .asoundrc that this script did not write (it is kept as
#              .asoundrc.before-phonon and put back by --stop).
#
# The JACK server is the default one, or $JACK_DEFAULT_SERVER if set (export the same value to the
# programs that play). jackd runs in the background, unprivileged-friendly (--no-realtime); its log
# and pid live in ${TMPDIR:-/tmp}. Needs: apt-get install --no-install-recommends jackd2 libasound2-plugins
set -euo pipefail

rate=48000
period=512
dir="${ASOUNDRC_DIR:-${HOME:?HOME is not set}}"
force=0
stop=0
positional=()
while [ $# -gt 0 ]; do
    case "$1" in
        --dir) dir="${2:?--dir needs a directory}"; shift 2 ;;
        --force) force=1; shift ;;
        --stop) stop=1; shift ;;
        -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
        -*) echo "jack-dummy.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
        *) positional+=("$1"); shift ;;
    esac
done
[ "${#positional[@]}" -ge 1 ] && rate="${positional[0]}"
[ "${#positional[@]}" -ge 2 ] && period="${positional[1]}"

server="${JACK_DEFAULT_SERVER:-default}"
state="${TMPDIR:-/tmp}/phonon-jackd-$(id -u)-$server"
rc="$dir/.asoundrc"
marker="# written by phonon's scripts/jack-dummy.sh"
export JACK_NO_START_SERVER=1 JACK_NO_AUDIO_RESERVATION=1

server_args=()
[ "$server" != default ] && server_args=(-s "$server")

if [ "$stop" = 1 ]; then
    if [ -f "$state.pid" ]; then
        pid="$(cat "$state.pid")"
        # Only the jackd this script started (the pid may have been reused since).
        [ "$(ps -o comm= -p "$pid" 2>/dev/null)" = jackd ] && kill "$pid"
        rm -f "$state.pid"
    fi
    if [ -f "$rc" ] && grep -qF "$marker" "$rc"; then
        rm -f "$rc"
        [ -f "$rc.before-phonon" ] && mv "$rc.before-phonon" "$rc"
    fi
    echo "jack-dummy: stopped '$server'"
    exit 0
fi

for tool in jackd jack_lsp; do
    command -v "$tool" >/dev/null || { echo "jack-dummy: $tool not found; apt-get install --no-install-recommends jackd2 libasound2-plugins" >&2; exit 1; }
done
case "$rate$period" in *[!0-9]*) echo "jack-dummy: RATE and PERIOD are whole numbers (got '$rate' '$period')" >&2; exit 2 ;; esac

if [ -f "$rc" ] && ! grep -qF "$marker" "$rc" && [ "$force" = 0 ]; then
    echo "jack-dummy: $rc exists and is not ours; use --force (it is kept as .asoundrc.before-phonon) or --dir" >&2
    exit 1
fi

if jack_lsp "${server_args[@]}" >/dev/null 2>&1; then
    described="the running JACK server '$server' (its own rate and period)"
else
    described="JACK dummy '$server' at $rate Hz, $period-frame periods"
    name_args=()
    [ "$server" != default ] && name_args=(-n "$server")
    nohup jackd --no-realtime "${name_args[@]}" -d dummy -r "$rate" -p "$period" >"$state.log" 2>&1 </dev/null &
    echo $! >"$state.pid"
    # Wait (at most 10 s) until the server accepts clients.
    for _ in $(seq 200); do
        jack_lsp "${server_args[@]}" 2>/dev/null | grep -q system:playback_2 && break
        kill -0 "$(cat "$state.pid")" 2>/dev/null || { echo "jack-dummy: jackd exited:" >&2; cat "$state.log" >&2; exit 1; }
        sleep 0.05
    done
    jack_lsp "${server_args[@]}" 2>/dev/null | grep -q system:playback_2 || { echo "jack-dummy: jackd did not come up:" >&2; cat "$state.log" >&2; exit 1; }
fi

mkdir -p "$dir"
[ -f "$rc" ] && ! grep -qF "$marker" "$rc" && mv "$rc" "$rc.before-phonon"
cat >"$rc" <<EOF
$marker
# ALSA's default device → the JACK server's system playback ports.
pcm.!default { type plug slave.pcm "phonon_jack" }
pcm.phonon_jack { type jack name "phonon" playback_ports { 0 system:playback_1 1 system:playback_2 } }
EOF

echo "jack-dummy: ALSA's default device plays into $described (via $rc)"
[ "$dir" != "$HOME" ] && echo "jack-dummy: run players with HOME=$dir"
[ "$server" != default ] && echo "jack-dummy: and JACK_DEFAULT_SERVER=$server"
stop_args=""
[ "$dir" != "$HOME" ] && stop_args=" --dir $dir"
echo "jack-dummy: stop with: $0 --stop$stop_args"
