//! The scale table of Tidal 1.9's `Sound.Tidal.Scales`, in semitones from the root.

/// Every scale `scale` knows, by Tidal's name, in Tidal's order.
pub const SCALES: &[(&str, &[f64])] = &[
    // five-note scales
    ("minPent", &[0.0, 3.0, 5.0, 7.0, 10.0]),
    ("majPent", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("ritusen", &[0.0, 2.0, 5.0, 7.0, 9.0]),
    ("egyptian", &[0.0, 2.0, 5.0, 7.0, 10.0]),
    ("kumai", &[0.0, 2.0, 3.0, 7.0, 9.0]),
    ("hirajoshi", &[0.0, 2.0, 3.0, 7.0, 8.0]),
    ("iwato", &[0.0, 1.0, 5.0, 6.0, 10.0]),
    ("chinese", &[0.0, 4.0, 6.0, 7.0, 11.0]),
    ("indian", &[0.0, 4.0, 5.0, 7.0, 10.0]),
    ("pelog", &[0.0, 1.0, 3.0, 7.0, 8.0]),
    ("prometheus", &[0.0, 2.0, 4.0, 6.0, 11.0]),
    ("scriabin", &[0.0, 1.0, 4.0, 7.0, 9.0]),
    // han chinese pentatonic scales
    ("gong", &[0.0, 2.0, 4.0, 7.0, 9.0]),
    ("shang", &[0.0, 2.0, 5.0, 7.0, 10.0]),
    ("jiao", &[0.0, 3.0, 5.0, 8.0, 10.0]),
    ("zhi", &[0.0, 2.0, 5.0, 7.0, 9.0]),
    ("yu", &[0.0, 3.0, 5.0, 7.0, 10.0]),
    // six-note scales
    ("whole", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("wholetone", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("augmented", &[0.0, 3.0, 4.0, 7.0, 8.0, 11.0]),
    ("augmented2", &[0.0, 1.0, 4.0, 5.0, 8.0, 9.0]),
    // hexatonic modes with no tritone
    ("hexMajor7", &[0.0, 2.0, 4.0, 7.0, 9.0, 11.0]),
    ("hexDorian", &[0.0, 2.0, 3.0, 5.0, 7.0, 10.0]),
    ("hexPhrygian", &[0.0, 1.0, 3.0, 5.0, 8.0, 10.0]),
    ("hexSus", &[0.0, 2.0, 5.0, 7.0, 9.0, 10.0]),
    ("hexMajor6", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0]),
    ("hexAeolian", &[0.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    // seven-note scales
    ("major", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("ionian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 11.0]),
    ("dorian", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 10.0]),
    ("phrygian", &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("lydian", &[0.0, 2.0, 4.0, 6.0, 7.0, 9.0, 11.0]),
    ("mixolydian", &[0.0, 2.0, 4.0, 5.0, 7.0, 9.0, 10.0]),
    ("aeolian", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("minor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("locrian", &[0.0, 1.0, 3.0, 5.0, 6.0, 8.0, 10.0]),
    ("harmonicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("harmonicMajor", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 11.0]),
    ("melodicMinor", &[0.0, 2.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("melodicMinorDesc", &[0.0, 2.0, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("melodicMajor", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("bartok", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    ("hindu", &[0.0, 2.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    // raga modes
    ("todi", &[0.0, 1.0, 3.0, 6.0, 7.0, 8.0, 11.0]),
    ("purvi", &[0.0, 1.0, 4.0, 6.0, 7.0, 8.0, 11.0]),
    ("marva", &[0.0, 1.0, 4.0, 6.0, 7.0, 9.0, 11.0]),
    ("bhairav", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.0, 11.0]),
    ("ahirbhairav", &[0.0, 1.0, 4.0, 5.0, 7.0, 9.0, 10.0]),
    // more modes
    ("superLocrian", &[0.0, 1.0, 3.0, 4.0, 6.0, 8.0, 10.0]),
    ("romanianMinor", &[0.0, 2.0, 3.0, 6.0, 7.0, 9.0, 10.0]),
    ("hungarianMinor", &[0.0, 2.0, 3.0, 6.0, 7.0, 8.0, 11.0]),
    ("neapolitanMinor", &[0.0, 1.0, 3.0, 5.0, 7.0, 8.0, 11.0]),
    ("enigmatic", &[0.0, 1.0, 4.0, 6.0, 8.0, 10.0, 11.0]),
    ("spanish", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.0, 10.0]),
    // modes of whole tones with added note
    ("leadingWhole", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 11.0]),
    ("lydianMinor", &[0.0, 2.0, 4.0, 6.0, 7.0, 8.0, 10.0]),
    ("neapolitanMajor", &[0.0, 1.0, 3.0, 5.0, 7.0, 9.0, 11.0]),
    ("locrianMajor", &[0.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0]),
    // eight-note scales
    ("diminished", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    ("octatonic", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    ("diminished2", &[0.0, 2.0, 3.0, 5.0, 6.0, 8.0, 9.0, 11.0]),
    ("octatonic2", &[0.0, 2.0, 3.0, 5.0, 6.0, 8.0, 9.0, 11.0]),
    // modes of limited transposition
    ("messiaen1", &[0.0, 2.0, 4.0, 6.0, 8.0, 10.0]),
    ("messiaen2", &[0.0, 1.0, 3.0, 4.0, 6.0, 7.0, 9.0, 10.0]),
    ("messiaen3", &[0.0, 2.0, 3.0, 4.0, 6.0, 7.0, 8.0, 10.0, 11.0]),
    ("messiaen4", &[0.0, 1.0, 2.0, 5.0, 6.0, 7.0, 8.0, 11.0]),
    ("messiaen5", &[0.0, 1.0, 5.0, 6.0, 7.0, 11.0]),
    ("messiaen6", &[0.0, 2.0, 4.0, 5.0, 6.0, 8.0, 10.0, 11.0]),
    ("messiaen7", &[0.0, 1.0, 2.0, 3.0, 5.0, 6.0, 7.0, 8.0, 9.0, 11.0]),
    // twelve-note scale
    ("chromatic", &[0.0, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0]),
    // arabic maqams (from SuperCollider's Scale.sc)
    ("bayati", &[0.0, 1.5, 3.0, 5.0, 7.0, 8.0, 10.0]),
    ("hijaz", &[0.0, 1.0, 4.0, 5.0, 7.0, 8.5, 10.0]),
    ("sikah", &[0.0, 1.5, 3.5, 5.5, 7.0, 8.5, 10.5]),
    ("rast", &[0.0, 2.0, 3.5, 5.0, 7.0, 9.0, 10.5]),
    ("saba", &[0.0, 1.5, 3.0, 4.0, 6.0, 8.0, 10.0]),
    ("iraq", &[0.0, 1.5, 3.5, 5.0, 6.5, 8.5, 10.5]),
];

/// The steps of a named scale, in semitones from the root; `None` if Tidal has no such scale.
///
/// ```
/// use phonon::pattern::scales::lookup;
/// assert_eq!(lookup("minPent"), Some(&[0.0, 3.0, 5.0, 7.0, 10.0][..]));
/// assert_eq!(lookup("major").map(<[f64]>::len), Some(7));
/// assert_eq!(lookup("nope"), None);
/// ```
pub fn lookup(name: &str) -> Option<&'static [f64]> {
    SCALES.iter().find(|(n, _)| *n == name).map(|(_, s)| *s)
}

/// The names, space-separated (Tidal's `scaleList`).
pub fn scale_list() -> String {
    SCALES.iter().map(|(n, _)| *n).collect::<Vec<_>>().join(" ")
}
