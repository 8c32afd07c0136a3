//! Tidal's chord table and chord modifiers (`Sound.Tidal.Chords`).
//!
//! The mini-notation writes a chord as `root'name'modifier'modifier…` (`c4'maj`, `e3'min7'ii`,
//! `0'major'5'o`). The table gives each name's intervals in semitones above the root; the
//! modifiers then reshape the list of notes, in order. Names and intervals are Tidal's, including
//! its oddities (`dom9` has no seventh, `m6by9` lists its sixth before its fifth).

/// Every chord name Tidal knows, with its intervals in semitones (Tidal 1.9's `chordTable`,
/// in Tidal's order; several names share one chord).
pub const CHORD_TABLE: &[(&str, &[i32])] = &[
    // major chords
    ("major", MAJOR),
    ("maj", MAJOR),
    ("M", MAJOR),
    ("aug", AUG),
    ("plus", AUG),
    ("sharp5", AUG),
    ("six", SIX),
    ("6", SIX),
    ("sixNine", SIX_NINE),
    ("six9", SIX_NINE),
    ("sixby9", SIX_NINE),
    ("6by9", SIX_NINE),
    ("major7", MAJOR7),
    ("maj7", MAJOR7),
    ("major9", MAJOR9),
    ("maj9", MAJOR9),
    ("add9", ADD9),
    ("major11", MAJOR11),
    ("maj11", MAJOR11),
    ("add11", ADD11),
    ("major13", MAJOR13),
    ("maj13", MAJOR13),
    ("add13", ADD13),
    // dominant chords
    ("dom7", DOM7),
    ("dom9", DOM9),
    ("dom11", DOM11),
    ("dom13", DOM13),
    ("sevenFlat5", SEVEN_FLAT5),
    ("7f5", SEVEN_FLAT5),
    ("sevenSharp5", SEVEN_SHARP5),
    ("7s5", SEVEN_SHARP5),
    ("sevenFlat9", SEVEN_FLAT9),
    ("7f9", SEVEN_FLAT9),
    ("nine", NINE),
    ("eleven", ELEVEN),
    ("11", ELEVEN),
    ("thirteen", THIRTEEN),
    ("13", THIRTEEN),
    // minor chords
    ("minor", MINOR),
    ("min", MINOR),
    ("m", MINOR),
    ("diminished", DIMINISHED),
    ("dim", DIMINISHED),
    ("minorSharp5", MINOR_SHARP5),
    ("msharp5", MINOR_SHARP5),
    ("mS5", MINOR_SHARP5),
    ("minor6", MINOR6),
    ("min6", MINOR6),
    ("m6", MINOR6),
    ("minorSixNine", MINOR_SIX_NINE),
    ("minor69", MINOR_SIX_NINE),
    ("min69", MINOR_SIX_NINE),
    ("minSixNine", MINOR_SIX_NINE),
    ("m69", MINOR_SIX_NINE),
    ("mSixNine", MINOR_SIX_NINE),
    ("m6by9", MINOR_SIX_NINE),
    ("minor7flat5", MINOR7_FLAT5),
    ("minor7f5", MINOR7_FLAT5),
    ("min7flat5", MINOR7_FLAT5),
    ("min7f5", MINOR7_FLAT5),
    ("m7flat5", MINOR7_FLAT5),
    ("m7f5", MINOR7_FLAT5),
    ("minorMajor7", MINOR_MAJOR7),
    ("minMaj7", MINOR_MAJOR7),
    ("mmaj7", MINOR_MAJOR7),
    ("minor7", MINOR7),
    ("min7", MINOR7),
    ("m7", MINOR7),
    ("diminished7", DIMINISHED7),
    ("dim7", DIMINISHED7),
    ("minor7sharp5", MINOR7_SHARP5),
    ("minor7s5", MINOR7_SHARP5),
    ("min7sharp5", MINOR7_SHARP5),
    ("min7s5", MINOR7_SHARP5),
    ("m7sharp5", MINOR7_SHARP5),
    ("m7s5", MINOR7_SHARP5),
    ("minor7flat9", MINOR7_FLAT9),
    ("minor7f9", MINOR7_FLAT9),
    ("min7flat9", MINOR7_FLAT9),
    ("min7f9", MINOR7_FLAT9),
    ("m7flat9", MINOR7_FLAT9),
    ("m7f9", MINOR7_FLAT9),
    ("minor7sharp9", MINOR7_SHARP9),
    ("minor7s9", MINOR7_SHARP9),
    ("min7sharp9", MINOR7_SHARP9),
    ("min7s9", MINOR7_SHARP9),
    ("m7sharp9", MINOR7_SHARP9),
    ("m7s9", MINOR7_SHARP9),
    ("minor9", MINOR9),
    ("min9", MINOR9),
    ("m9", MINOR9),
    ("minor11", MINOR11),
    ("min11", MINOR11),
    ("m11", MINOR11),
    ("minor13", MINOR13),
    ("min13", MINOR13),
    ("m13", MINOR13),
    // other chords
    ("one", ONE),
    ("1", ONE),
    ("five", FIVE),
    ("5", FIVE),
    ("sus2", SUS2),
    ("sus4", SUS4),
    ("sevenSus2", SEVEN_SUS2),
    ("7sus2", SEVEN_SUS2),
    ("sevenSus4", SEVEN_SUS4),
    ("7sus4", SEVEN_SUS4),
    ("nineSus4", NINE_SUS4),
    ("ninesus4", NINE_SUS4),
    ("9sus4", NINE_SUS4),
    // questionable chords (Tidal's own heading)
    ("sevenFlat10", SEVEN_FLAT10),
    ("7f10", SEVEN_FLAT10),
    ("nineSharp5", NINE_SHARP5),
    ("9sharp5", NINE_SHARP5),
    ("9s5", NINE_SHARP5),
    ("minor9sharp5", MINOR9_SHARP5),
    ("minor9s5", MINOR9_SHARP5),
    ("min9sharp5", MINOR9_SHARP5),
    ("min9s5", MINOR9_SHARP5),
    ("m9sharp5", MINOR9_SHARP5),
    ("m9s5", MINOR9_SHARP5),
    ("sevenSharp5flat9", SEVEN_SHARP5_FLAT9),
    ("7s5f9", SEVEN_SHARP5_FLAT9),
    ("minor7sharp5flat9", MINOR7_SHARP5_FLAT9),
    ("m7sharp5flat9", MINOR7_SHARP5_FLAT9),
    ("elevenSharp", ELEVEN_SHARP),
    ("11s", ELEVEN_SHARP),
    ("minor11sharp", MINOR11_SHARP),
    ("m11sharp", MINOR11_SHARP),
    ("m11s", MINOR11_SHARP),
];

const MAJOR: &[i32] = &[0, 4, 7];
const AUG: &[i32] = &[0, 4, 8];
const SIX: &[i32] = &[0, 4, 7, 9];
const SIX_NINE: &[i32] = &[0, 4, 7, 9, 14];
const MAJOR7: &[i32] = &[0, 4, 7, 11];
const MAJOR9: &[i32] = &[0, 4, 7, 11, 14];
const ADD9: &[i32] = &[0, 4, 7, 14];
const MAJOR11: &[i32] = &[0, 4, 7, 11, 14, 17];
const ADD11: &[i32] = &[0, 4, 7, 17];
const MAJOR13: &[i32] = &[0, 4, 7, 11, 14, 21];
const ADD13: &[i32] = &[0, 4, 7, 21];
const DOM7: &[i32] = &[0, 4, 7, 10];
const DOM9: &[i32] = &[0, 4, 7, 14];
const DOM11: &[i32] = &[0, 4, 7, 17];
const DOM13: &[i32] = &[0, 4, 7, 21];
const SEVEN_FLAT5: &[i32] = &[0, 4, 6, 10];
const SEVEN_SHARP5: &[i32] = &[0, 4, 8, 10];
const SEVEN_FLAT9: &[i32] = &[0, 4, 7, 10, 13];
const NINE: &[i32] = &[0, 4, 7, 10, 14];
const ELEVEN: &[i32] = &[0, 4, 7, 10, 14, 17];
const THIRTEEN: &[i32] = &[0, 4, 7, 10, 14, 17, 21];
const MINOR: &[i32] = &[0, 3, 7];
const DIMINISHED: &[i32] = &[0, 3, 6];
const MINOR_SHARP5: &[i32] = &[0, 3, 8];
const MINOR6: &[i32] = &[0, 3, 7, 9];
const MINOR_SIX_NINE: &[i32] = &[0, 3, 9, 7, 14];
const MINOR7_FLAT5: &[i32] = &[0, 3, 6, 10];
const MINOR_MAJOR7: &[i32] = &[0, 3, 7, 11];
const MINOR7: &[i32] = &[0, 3, 7, 10];
const MINOR7_SHARP5: &[i32] = &[0, 3, 8, 10];
const MINOR7_FLAT9: &[i32] = &[0, 3, 7, 10, 13];
const MINOR7_SHARP9: &[i32] = &[0, 3, 7, 10, 14];
const DIMINISHED7: &[i32] = &[0, 3, 6, 9];
const MINOR9: &[i32] = &[0, 3, 7, 10, 14];
const MINOR11: &[i32] = &[0, 3, 7, 10, 14, 17];
const MINOR13: &[i32] = &[0, 3, 7, 10, 14, 17, 21];
const ONE: &[i32] = &[0];
const FIVE: &[i32] = &[0, 7];
const SUS2: &[i32] = &[0, 2, 7];
const SUS4: &[i32] = &[0, 5, 7];
const SEVEN_SUS2: &[i32] = &[0, 2, 7, 10];
const SEVEN_SUS4: &[i32] = &[0, 5, 7, 10];
const NINE_SUS4: &[i32] = &[0, 5, 7, 10, 14];
const SEVEN_FLAT10: &[i32] = &[0, 4, 7, 10, 15];
const NINE_SHARP5: &[i32] = &[0, 1, 13];
const MINOR9_SHARP5: &[i32] = &[0, 1, 14];
const SEVEN_SHARP5_FLAT9: &[i32] = &[0, 4, 8, 10, 13];
const MINOR7_SHARP5_FLAT9: &[i32] = &[0, 3, 8, 10, 13];
const ELEVEN_SHARP: &[i32] = &[0, 4, 7, 10, 14, 18];
const MINOR11_SHARP: &[i32] = &[0, 3, 7, 10, 14, 18];

/// The intervals of a chord name (`"maj7"` → `[0, 4, 7, 11]`), `None` if Tidal has no such
/// chord.
///
/// ```
/// use phonon::pattern::chords::{Modifier, apply_modifier, chord};
/// assert_eq!(chord("maj7"), Some(&[0, 4, 7, 11][..]));
/// assert_eq!(chord("nope"), None);
/// // Tidal's "c'maj'i": the first inversion
/// let maj: Vec<f64> = chord("maj").unwrap().iter().map(|&i| i as f64).collect();
/// assert_eq!(apply_modifier(Modifier::Invert, &maj), [4.0, 7.0, 12.0]);
/// ```
pub fn chord(name: &str) -> Option<&'static [i32]> {
    CHORD_TABLE.iter().find(|(n, _)| *n == name).map(|(_, iv)| *iv)
}

/// A chord modifier (Tidal 1.9's `Modifier`), written after the chord name: `'5` (range),
/// `'i` (invert), `'o` (open), `'d1` (drop).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Modifier {
    /// `'n`: exactly `n` notes, repeating the chord an octave up as often as needed.
    Range(usize),
    /// `'d n`: drop the `n`-th note from the top an octave.
    Drop(usize),
    /// `'i`: the lowest note goes up an octave.
    Invert,
    /// `'o`: open voicing — the root and the fifth (first and third notes) go down an octave.
    Open,
}

/// Apply one modifier to a chord's notes (Tidal's `applyModifier`; where Tidal would fail —
/// a range of an empty chord, `'d0` — the notes are left as they are).
pub fn apply_modifier(m: Modifier, ds: &[f64]) -> Vec<f64> {
    match m {
        Modifier::Range(i) => {
            if ds.is_empty() {
                return Vec::new();
            }
            (0..).flat_map(|oct| ds.iter().map(move |d| d + 12.0 * oct as f64)).take(i).collect()
        }
        Modifier::Invert => match ds.split_first() {
            None => Vec::new(),
            Some((d, rest)) => rest.iter().copied().chain(std::iter::once(d + 12.0)).collect(),
        },
        Modifier::Open => {
            if ds.len() > 2 {
                let mut out = vec![ds[0] - 12.0, ds[2] - 12.0, ds[1]];
                out.extend_from_slice(&ds[3..]);
                out
            } else {
                ds.to_vec()
            }
        }
        Modifier::Drop(i) => {
            if i == 0 || ds.len() < i {
                return ds.to_vec();
            }
            // (ds!!s - 12) : (xs ++ drop 1 ys) where (xs, ys) = splitAt s ds; s = length ds - i
            let s = ds.len() - i;
            let mut out = vec![ds[s] - 12.0];
            out.extend_from_slice(&ds[..s]);
            out.extend_from_slice(&ds[s + 1..]);
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Names resolve to Tidal's intervals; unknown names do not resolve.
    #[test]
    fn lookup() {
        assert_eq!(chord("maj"), Some(&[0, 4, 7][..]));
        assert_eq!(chord("min7"), Some(&[0, 3, 7, 10][..]));
        assert_eq!(chord("m6by9"), Some(&[0, 3, 9, 7, 14][..]));
        assert_eq!(chord("13"), Some(&[0, 4, 7, 10, 14, 17, 21][..]));
        assert_eq!(chord("nope"), None);
    }

    /// Modifiers reshape notes exactly as Tidal 1.9's `applyModifier` does.
    #[test]
    fn modifiers() {
        let maj7 = [0.0, 4.0, 7.0, 11.0];
        assert_eq!(apply_modifier(Modifier::Range(6), &[0.0, 4.0, 7.0]), vec![0.0, 4.0, 7.0, 12.0, 16.0, 19.0]);
        assert_eq!(apply_modifier(Modifier::Range(2), &[0.0, 4.0, 7.0]), vec![0.0, 4.0]);
        assert_eq!(apply_modifier(Modifier::Invert, &[0.0, 4.0, 7.0]), vec![4.0, 7.0, 12.0]);
        assert_eq!(apply_modifier(Modifier::Open, &maj7), vec![-12.0, -5.0, 4.0, 11.0]);
        assert_eq!(apply_modifier(Modifier::Drop(1), &maj7), vec![-1.0, 0.0, 4.0, 7.0]);
        assert_eq!(apply_modifier(Modifier::Drop(2), &maj7), vec![-5.0, 0.0, 4.0, 11.0]);
        assert_eq!(apply_modifier(Modifier::Drop(5), &maj7), maj7.to_vec());
    }
}
