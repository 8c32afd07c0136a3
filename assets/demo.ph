-- Phonon demo in the .ph language: a stepped saw bass through a swept low-pass, a
-- pattern-switched square lead through a band-pass and an echo chain, and drums from the
-- built-in kit.
-- Render it: cargo run --release -- render assets/demo.ph demo.wav
tempo: 0.5

~lfo: sine 0.25 * 900 + 1200
~notes: "55 55 82.5 <110 73.4>"
~bass: saw ~notes # lpf ~lfo 2 * 0.35

~lead: square "<440 523.25 659.25 587.33>*2" # bpf 1500 2
~echo: delay 0.375 0.45 0.4 # hpf 300

~drums: s "bd*2 [~ bd] [sn, cp] . hh*4" # gain 0.8
~hats: s "[~ oh]*2" # gain 0.3 # pan sine

out: ~bass + ~lead # ~echo * 0.15 + ~drums * 0.8 + ~hats
o1: noise # hpf 9000 0.9 * (square 4 * 0.02 + 0.02)
