-- A saw instrument played as chords through Tidal's transforms, the voices' sum low-passed.
~x: saw # gain 0.3
o2: jux rev $ stut 8 0.125 0.1 $ s "~x(3,8,1)" # ar 0 1 # note "<c3'min7 c4'min7>" # lpf 200
