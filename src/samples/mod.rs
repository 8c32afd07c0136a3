//! The sample library: which sounds exist where, and loading them into [`SampleData`].
//!
//! The layout is Dirt-Samples' (SuperDirt's): a samples directory holds one folder per sound
//! name, and the audio files inside, sorted by file name, are that sound's variations — `bd:3`
//! is the 4th file of `bd/`. Several directories are searched in order ([`SampleLibrary::discover`]);
//! a name found in an earlier one wins. Behind them all sits the built-in kit ([`kit`]),
//! synthesized in memory, so `bd`, `sn`, `hh`, … always play.
//!
//! WAV files are read with hound (8/16/24/32-bit integer, 32-bit float; mono, stereo, more
//! channels keep the first two) and resampled to the engine's rate at load with a band-limited
//! resampler (rubato). Loaded samples are cached, so asking again is cheap. Loading happens off
//! the render thread (when a scene is built); the voice system only reads the resulting
//! [`phonon_components::SampleBank`].
//!
//! ```
//! use phonon::samples::SampleLibrary;
//! // a samples directory with one sound, `blip`, of one file
//! let dir = std::env::temp_dir().join(format!("phonon-doc-samples-{}", std::process::id()));
//! std::fs::create_dir_all(dir.join("blip")).unwrap();
//! let spec = hound::WavSpec { channels: 1, sample_rate: 22_050, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
//! let mut w = hound::WavWriter::create(dir.join("blip").join("blip.wav"), spec).unwrap();
//! for i in 0..2205 {
//!     w.write_sample(((i % 50) * 200) as i16).unwrap();
//! }
//! w.finalize().unwrap();
//!
//! let lib = SampleLibrary::with_dirs(&[dir.clone()]);
//! assert_eq!(lib.count("blip"), 1);
//! assert_eq!(lib.count("bd"), 4); // the built-in kit sits behind every directory
//! let blip = lib.load("blip", 0, 44_100).unwrap(); // resampled 22.05 → 44.1 kHz
//! assert_eq!(blip.channels, 1);
//! assert_eq!(blip.data.len(), 4410);
//! std::fs::remove_dir_all(&dir).unwrap();
//! ```

pub mod kit;
pub mod load;

pub use kit::{KIT, KIT_RATE, write_builtin_kit};
pub use load::{Decoded, decode_wav, read_wav, resample};

use phonon_components::SampleData;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard};

/// File name extensions counted as a sound's files (those SuperDirt counts, so `bd:3` means the
/// same file in both). Only WAV is decoded; the others load as a warning and silence.
const AUDIO_EXTENSIONS: &[&str] = &["wav", "wave", "aif", "aiff", "aifc"];

/// A place searched for sounds.
#[derive(Debug, Clone)]
struct Place {
    /// Where it came from ("--samples", "PHONON_SAMPLES", "default", "built-in").
    label: &'static str,
    /// `None` for the built-in kit.
    path: Option<PathBuf>,
    /// Sounds found there (0 if it does not exist).
    sounds: usize,
    exists: bool,
}

#[derive(Debug, Clone)]
enum Origin {
    /// A folder of files, sorted by file name.
    Files {
        dir: PathBuf,
        files: Vec<PathBuf>,
    },
    Builtin {
        count: usize,
    },
}

#[derive(Debug, Clone)]
struct Sound {
    /// Index into `places`.
    place: usize,
    origin: Origin,
    /// Later places that also have this name (hidden by this one).
    shadows: Vec<usize>,
}

impl Sound {
    fn count(&self) -> usize {
        match &self.origin {
            Origin::Files { files, .. } => files.len(),
            Origin::Builtin { count } => *count,
        }
    }
}

type CacheKey = (String, usize, u32);

/// What sounds are found where; cheap to query by name. Loads (and caches) on demand.
#[derive(Debug, Default)]
pub struct SampleLibrary {
    sounds: BTreeMap<String, Sound>,
    places: Vec<Place>,
    /// Loaded samples by (name, file index, sample rate); `None` remembers a file that failed.
    cache: Mutex<HashMap<CacheKey, Option<Arc<SampleData>>>>,
    /// Unknown names already warned about.
    warned: Mutex<HashSet<String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// The directories searched, in order, with where each came from: each `extra` dir, then
/// `PHONON_SAMPLES` (colon-separated), then `./samples`, `~/phonon/samples` and
/// `~/.local/share/phonon/samples`. (The built-in kit comes after them all.)
pub fn search_path(extra: &[PathBuf]) -> Vec<(&'static str, PathBuf)> {
    let mut dirs: Vec<(&'static str, PathBuf)> = extra.iter().map(|d| ("--samples", d.clone())).collect();
    if let Some(v) = std::env::var_os("PHONON_SAMPLES") {
        dirs.extend(std::env::split_paths(&v).filter(|p| !p.as_os_str().is_empty()).map(|p| ("PHONON_SAMPLES", p)));
    }
    dirs.push(("default", PathBuf::from("samples")));
    if let Some(home) = std::env::var_os("HOME").filter(|h| !h.is_empty()).map(PathBuf::from) {
        dirs.push(("default", home.join("phonon").join("samples")));
        dirs.push(("default", home.join(".local").join("share").join("phonon").join("samples")));
    }
    dirs
}

/// The sound folders in `dir` and their audio files, sorted (hidden entries skipped). `None`
/// if `dir` cannot be read.
fn scan_dir(dir: &Path) -> Option<Vec<(String, Vec<PathBuf>)>> {
    let entries = std::fs::read_dir(dir).ok()?;
    let mut sounds = Vec::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let Some(name) = entry.file_name().to_str().map(str::to_string) else { continue };
        if name.starts_with('.') || !path.is_dir() {
            continue;
        }
        let Ok(files) = std::fs::read_dir(&path) else { continue };
        let mut files: Vec<PathBuf> = files
            .flatten()
            .map(|f| f.path())
            .filter(|f| {
                let hidden = f.file_name().and_then(|n| n.to_str()).is_none_or(|n| n.starts_with('.'));
                let audio =
                    f.extension().and_then(|e| e.to_str()).is_some_and(|e| AUDIO_EXTENSIONS.iter().any(|a| a.eq_ignore_ascii_case(e)));
                !hidden && audio && f.is_file()
            })
            .collect();
        if files.is_empty() {
            continue;
        }
        files.sort_by(|a, b| a.file_name().cmp(&b.file_name()));
        sounds.push((name, files));
    }
    sounds.sort_by(|a, b| a.0.cmp(&b.0));
    Some(sounds)
}

impl SampleLibrary {
    /// Scan the search path ([`search_path`]: each `extra` dir, from `--samples DIR`, then
    /// `PHONON_SAMPLES`, then `./samples`, `~/phonon/samples`, `~/.local/share/phonon/samples`),
    /// then the built-in kit. A sound name found in an earlier place wins. An `extra` dir that
    /// does not exist is a warning; the default ones are optional. Reads directories only
    /// (no audio is loaded until [`load`](Self::load)).
    ///
    /// ```
    /// use phonon::samples::{KIT, SampleLibrary};
    /// let lib = SampleLibrary::discover(&[]);
    /// // whatever folders exist, every built-in kit sound has a name to play
    /// assert!(KIT.iter().all(|(name, _)| lib.has(name)));
    /// ```
    pub fn discover(extra: &[PathBuf]) -> SampleLibrary {
        let dirs = search_path(extra);
        for (label, d) in &dirs {
            if *label != "default" && !d.is_dir() {
                tracing::warn!("sample directory {} ({label}) not found", d.display());
            }
        }
        Self::build(&dirs)
    }

    /// Exactly these directories, in order, then the built-in kit (no environment, no defaults).
    pub fn with_dirs(dirs: &[PathBuf]) -> SampleLibrary {
        let dirs: Vec<_> = dirs.iter().map(|d| ("--samples", d.clone())).collect();
        Self::build(&dirs)
    }

    /// Only the built-in kit (for tests and when nothing else is wanted).
    ///
    /// ```
    /// use phonon::samples::SampleLibrary;
    /// let lib = SampleLibrary::builtin();
    /// assert_eq!(lib.names().collect::<Vec<_>>(), ["arpy", "bd", "cb", "cp", "cr", "hh", "ht", "lt", "mt", "oh", "rim", "sn"]);
    /// assert_eq!(lib.count("sn"), 4);
    /// assert_eq!(lib.path_of("sn", 0), None); // synthesized, not a file
    /// let bd = lib.load("bd", 5, 48_000).unwrap(); // bd:5 wraps to bd:1
    /// assert_eq!(bd.channels, 1);
    /// assert!(bd.data.iter().any(|s| s.abs() > 0.5));
    /// assert!(lib.load("nope", 0, 48_000).is_none());
    /// ```
    pub fn builtin() -> SampleLibrary {
        Self::build(&[])
    }

    fn build(dirs: &[(&'static str, PathBuf)]) -> SampleLibrary {
        let mut lib = SampleLibrary::default();
        for (label, dir) in dirs {
            let found = scan_dir(dir);
            let place = lib.places.len();
            lib.places.push(Place { label, path: Some(dir.clone()), sounds: found.as_ref().map_or(0, Vec::len), exists: found.is_some() });
            for (name, files) in found.unwrap_or_default() {
                lib.add(name, place, Origin::Files { dir: dir.clone(), files });
            }
        }
        let place = lib.places.len();
        lib.places.push(Place { label: "built-in", path: None, sounds: kit::KIT.len(), exists: true });
        for &(name, count) in kit::KIT {
            lib.add(name.to_string(), place, Origin::Builtin { count });
        }
        lib
    }

    fn add(&mut self, name: String, place: usize, origin: Origin) {
        match self.sounds.get_mut(&name) {
            Some(s) => s.shadows.push(place),
            None => {
                self.sounds.insert(name, Sound { place, origin, shadows: Vec::new() });
            }
        }
    }

    /// Every sound name known, sorted.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.sounds.keys().map(String::as_str)
    }

    /// Is `name` a known sound (in a searched directory or the built-in kit)?
    pub fn has(&self, name: &str) -> bool {
        self.sounds.contains_key(name)
    }

    /// How many files (variations) sound `name` has; 0 if unknown.
    pub fn count(&self, name: &str) -> usize {
        self.sounds.get(name).map_or(0, Sound::count)
    }

    /// The file `name:index` resolves to (index wrapping), `None` for unknown or built-in sounds.
    pub fn path_of(&self, name: &str, index: i64) -> Option<&Path> {
        let s = self.sounds.get(name)?;
        match &s.origin {
            Origin::Files { files, .. } => Some(&files[index.rem_euclid(files.len() as i64) as usize]),
            Origin::Builtin { .. } => None,
        }
    }

    /// The search path and the names known, sorted, with where each comes from and how many
    /// files (for `phonon samples`).
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "Sample search path (a name in an earlier place wins):");
        for (i, p) in self.places.iter().enumerate() {
            let what = match (&p.path, p.exists) {
                (None, _) => format!("{} sounds", p.sounds),
                (Some(_), false) => "not found".to_string(),
                (Some(_), true) => format!("{} sound{}", p.sounds, if p.sounds == 1 { "" } else { "s" }),
            };
            let path = p.path.as_ref().map_or_else(|| "(synthesized in memory)".to_string(), |d| d.display().to_string());
            let _ = writeln!(out, "  {}. {:<15} {path}: {what}", i + 1, p.label);
        }
        let width = self.sounds.keys().map(String::len).max().unwrap_or(4).max(4);
        let plural = if self.sounds.len() == 1 { "" } else { "s" };
        let _ = writeln!(out, "{} sound{plural} (name, how many files: name:0 … name:N-1, from where):", self.sounds.len());
        for (name, s) in &self.sounds {
            let from = match &s.origin {
                Origin::Files { dir, .. } => format!("{} ({})", dir.join(name).display(), self.places[s.place].label),
                Origin::Builtin { .. } => "built-in kit".to_string(),
            };
            let _ = write!(out, "  {name:<width$} {:>4}  {from}", s.count());
            if !s.shadows.is_empty() {
                let hidden: Vec<String> = s
                    .shadows
                    .iter()
                    .map(|&p| self.places[p].path.as_ref().map_or("built-in".to_string(), |d| d.display().to_string()))
                    .collect();
                let _ = write!(out, "  (hides {})", hidden.join(", "));
            }
            out.push('\n');
        }
        out
    }

    /// Load (or synthesize) sound `name`, file `index` (wrapping: index mod count, negative too),
    /// resampled to `sample_rate`. `None` if the name is unknown (a warning, once per name) or
    /// the file is corrupt or unsupported (a warning naming the file, once). Cached.
    pub fn load(&self, name: &str, index: i64, sample_rate: u32) -> Option<Arc<SampleData>> {
        let Some(sound) = self.sounds.get(name) else {
            if lock(&self.warned).insert(name.to_string()) {
                tracing::warn!("no sample named '{name}' (see `phonon samples` for the names known)");
            }
            return None;
        };
        let idx = index.rem_euclid(sound.count() as i64) as usize;
        let key = (name.to_string(), idx, sample_rate);
        if let Some(hit) = lock(&self.cache).get(&key) {
            return hit.clone();
        }
        let loaded = match &sound.origin {
            Origin::Builtin { .. } => {
                let mono = kit::synthesize(name, idx as i64).expect("built-in sound");
                match load::resample(&mono, 1, kit::KIT_RATE, sample_rate) {
                    Ok(data) => Some(Arc::new(SampleData { channels: 1, data })),
                    Err(e) => {
                        tracing::warn!("built-in sound {name}:{idx}: cannot resample to {sample_rate} Hz: {e}");
                        None
                    }
                }
            }
            Origin::Files { files, .. } => {
                let path = &files[idx];
                Self::load_file(path, sample_rate)
                    .inspect_err(|e| tracing::warn!("sample {name}:{idx} ({}) cannot be loaded: {e}; it stays silent", path.display()))
                    .ok()
            }
        };
        lock(&self.cache).entry(key).or_insert(loaded).clone()
    }

    fn load_file(path: &Path, sample_rate: u32) -> Result<Arc<SampleData>, String> {
        let is_wav =
            path.extension().and_then(|e| e.to_str()).is_some_and(|e| e.eq_ignore_ascii_case("wav") || e.eq_ignore_ascii_case("wave"));
        if !is_wav {
            return Err("unsupported format (only WAV files are read)".into());
        }
        let d = load::read_wav(path)?;
        let data = load::resample(&d.data, d.channels as usize, d.sample_rate, sample_rate)?;
        Ok(Arc::new(SampleData { channels: d.channels, data }))
    }
}

impl crate::build::SampleSource for SampleLibrary {
    fn count(&self, name: &str) -> usize {
        SampleLibrary::count(self, name)
    }
    fn load(&self, name: &str, index: i64, sample_rate: u32) -> Option<Arc<SampleData>> {
        SampleLibrary::load(self, name, index, sample_rate)
    }
    fn names(&self) -> Vec<String> {
        SampleLibrary::names(self).map(str::to_string).collect()
    }
}
