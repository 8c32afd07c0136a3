//! The sound-card end of live mode: a cpal output stream whose data callback drains the render
//! thread's ring of interleaved stereo `f32` frames.
//!
//! ```text
//! render thread ──push──▶ Arc<HeapRb<f32>> ──pop──▶ data callback (cpal's audio thread) ──▶ device
//!                                                   error callback ──code──▶ DeviceOutput::poll
//! ```
//!
//! Real-time contract: the data callback ([`RingReader::fill`]) and the error callback never lock,
//! allocate, do I/O or log. They only pop from the ring, convert samples and bump atomic counters
//! ([`DeviceStats`]). Everything that may block or allocate — opening, reopening, messages — runs on
//! the thread that owns the [`DeviceOutput`] and calls [`DeviceOutput::poll`].

use crate::Error;
use crate::error::did_you_mean;
use cpal::traits::{DeviceTrait, HostTrait, StreamTrait};
use cpal::{BufferSize, ErrorKind, FromSample, SampleFormat, SizedSample, StreamConfig, SupportedBufferSize, SupportedStreamConfigRange};
use ringbuf::traits::{Consumer, Observer};
use ringbuf::{HeapCons, HeapRb};
use std::fmt;
use std::ops::RangeInclusive;
use std::sync::Arc;
use std::sync::atomic::{AtomicU8, AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// Rates tried, in order, when the caller asks for none and the device has no default (Hz).
const PREFERRED_RATES: [u32; 2] = [48_000, 44_100];
/// A running stream whose callback count has not moved for this long is treated as lost.
const STALL: Duration = Duration::from_secs(2);
/// How often a lost device is retried.
const RETRY: Duration = Duration::from_secs(1);
/// A reopened stream that fails again within this long is failing repeatedly: it is retried
/// once per [`RETRY`] instead of at once, and reported once until it has played this long.
const SETTLE: Duration = Duration::from_secs(2);

/// One output device as `phonon devices` lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct DeviceInfo {
    /// The name to pass to [`DeviceOutput::open`]: the host's device id (ALSA: the PCM name, e.g.
    /// `default`, `hw:CARD=PCH,DEV=0`).
    pub name: String,
    /// The host's human-readable description (first line), e.g. `HDA Intel PCH, ALC892 Analog`.
    pub description: String,
    /// Whether this is the host's default output device.
    pub default: bool,
    /// Supported sample rates in Hz, as sorted, merged ranges (a fixed rate is `r..=r`).
    pub sample_rates: Vec<RangeInclusive<u32>>,
    /// The most output channels any configuration offers (0 when the device could not be queried).
    pub channels: u16,
    /// Supported sample formats, best first.
    pub formats: Vec<SampleFormat>,
    /// Why the configurations could not be read (device busy, permission …), if they could not.
    pub unavailable: Option<String>,
}

impl fmt::Display for DeviceInfo {
    /// One line: `default (default) — Default Audio Device: up to 2 ch, 8000–192000 Hz, f32 i16`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{} — {}: ", self.name, if self.default { " (default)" } else { "" }, self.description)?;
        if let Some(why) = &self.unavailable {
            return write!(f, "unavailable ({why})");
        }
        let formats: Vec<String> = self.formats.iter().map(|s| s.to_string()).collect();
        write!(f, "up to {} ch, {} Hz, {}", self.channels, rate_text(&self.sample_rates), formats.join(" "))
    }
}

/// Every output device of the default host, the default one first.
///
/// Reading a device's configurations opens it briefly; a device that is busy is still listed, with
/// [`DeviceInfo::unavailable`] saying why.
pub fn list_devices() -> Result<Vec<DeviceInfo>, Error> {
    let host = cpal::default_host();
    let default_id = host.default_output_device().and_then(|d| d.id().ok()).map(|id| id.id().to_string());
    let mut infos: Vec<DeviceInfo> = output_devices(&host)?.iter().map(|d| device_info(d, default_id.as_deref())).collect();
    if let Some(default) = host.default_output_device()
        && !infos.iter().any(|i| i.default)
    {
        infos.push(device_info(&default, default_id.as_deref()));
    }
    infos.sort_by_key(|i| !i.default);
    Ok(infos)
}

fn output_devices(host: &cpal::Host) -> Result<Vec<cpal::Device>, Error> {
    Ok(host.output_devices().map_err(|e| audio_err("cannot list output devices", &e))?.collect())
}

fn device_info(device: &cpal::Device, default_id: Option<&str>) -> DeviceInfo {
    let name = device_id(device);
    let description = device.description().map(|d| d.name().to_string()).unwrap_or_else(|_| name.clone());
    let mut info = DeviceInfo {
        default: default_id == Some(name.as_str()),
        name,
        description,
        sample_rates: Vec::new(),
        channels: 0,
        formats: Vec::new(),
        unavailable: None,
    };
    match device.supported_output_configs() {
        Ok(ranges) => summarise(&mut info, &ranges.collect::<Vec<_>>()),
        Err(e) => info.unavailable = Some(e.to_string()),
    }
    info
}

/// Fills the rate ranges, channel maximum and formats of `info` from a device's configurations.
fn summarise(info: &mut DeviceInfo, ranges: &[SupportedStreamConfigRange]) {
    info.sample_rates = merged_rates(ranges.iter());
    info.channels = ranges.iter().map(|r| r.channels()).max().unwrap_or(0);
    let mut formats: Vec<SampleFormat> = ranges.iter().map(|r| r.sample_format()).collect();
    formats.sort_by_key(|f| std::cmp::Reverse(format_rank(*f)));
    formats.dedup();
    info.formats = formats;
}

/// The host's id for a device (ALSA: the PCM name), falling back to its display name.
fn device_id(device: &cpal::Device) -> String {
    device.id().map(|id| id.id().to_string()).unwrap_or_else(|_| device.to_string())
}

/// Counters shared (through an `Arc`) between the data callback, the error callback and whoever
/// reports on them. All are monotonic; read them with `Relaxed` loads or [`DeviceStats::snapshot`].
#[derive(Debug, Default)]
pub struct DeviceStats {
    /// Data callbacks that found the ring holding fewer frames than the device asked for.
    pub underruns: AtomicU64,
    /// Frames of silence written because the ring was short (summed over all underruns).
    pub underrun_frames: AtomicU64,
    /// Data callbacks run.
    pub callbacks: AtomicU64,
    /// Frames taken from the ring and delivered to the device (silence for underruns not included).
    pub frames: AtomicU64,
    /// Error callbacks run (xruns, lost devices, …).
    pub errors: AtomicU64,
}

/// A plain copy of [`DeviceStats`] at one moment (same fields, same meanings).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct StatsSnapshot {
    /// Callbacks that found the ring short.
    pub underruns: u64,
    /// Frames of silence written for those shortfalls.
    pub underrun_frames: u64,
    /// Data callbacks run.
    pub callbacks: u64,
    /// Frames delivered from the ring.
    pub frames: u64,
    /// Error callbacks run.
    pub errors: u64,
}

impl DeviceStats {
    /// The counters now (each read separately: they may be a callback apart).
    pub fn snapshot(&self) -> StatsSnapshot {
        let get = |a: &AtomicU64| a.load(Ordering::Relaxed);
        StatsSnapshot {
            underruns: get(&self.underruns),
            underrun_frames: get(&self.underrun_frames),
            callbacks: get(&self.callbacks),
            frames: get(&self.frames),
            errors: get(&self.errors),
        }
    }
}

/// The data callback's state: the ring's consumer end and the device's channel count.
///
/// The ring holds interleaved stereo `f32` frames. [`fill`](Self::fill) writes them to the first two
/// device channels (a mono device gets their average) and zeroes any others.
pub struct RingReader {
    cons: HeapCons<f32>,
    channels: usize,
    stats: Arc<DeviceStats>,
}

impl RingReader {
    /// Takes the consumer end of `ring` for a device with `channels` (≥ 1) interleaved channels.
    ///
    /// Fails if another consumer of `ring` is alive (ringbuf allows one at a time; dropping it,
    /// e.g. by dropping the stream whose callback owns it, frees the place).
    pub fn new(ring: Arc<HeapRb<f32>>, channels: u16, stats: Arc<DeviceStats>) -> Result<RingReader, Error> {
        if ring.read_is_held() {
            return Err(Error::Audio("the sample ring already has a reader (is a stream still running?)".into()));
        }
        if channels == 0 {
            return Err(Error::Audio("the device offers 0 channels".into()));
        }
        Ok(RingReader { cons: HeapCons::new(ring), channels: channels as usize, stats })
    }

    /// Fills one device buffer (`out.len() / channels` frames) from the ring.
    ///
    /// Real-time safe: no lock, allocation, I/O or logging. If the ring holds fewer frames than the
    /// buffer, the rest is silence and one underrun plus the missing frames are counted.
    pub fn fill<T: SizedSample + FromSample<f32>>(&mut self, out: &mut [T]) {
        let wanted = out.len() / self.channels;
        let ready = (self.cons.occupied_len() / 2).min(wanted);
        let (a, b) = self.cons.as_slices();
        let mut samples = a.iter().chain(b.iter()).copied();
        let mut frames = out.chunks_exact_mut(self.channels);
        for frame in frames.by_ref().take(ready) {
            let left = samples.next().unwrap_or(0.0);
            let right = samples.next().unwrap_or(0.0);
            write_frame(frame, left, right);
        }
        for frame in frames {
            frame.fill(T::EQUILIBRIUM);
        }
        self.cons.skip(ready * 2);
        self.count(ready, wanted - ready);
    }

    fn count(&self, delivered: usize, missing: usize) {
        let s = &self.stats;
        s.callbacks.fetch_add(1, Ordering::Relaxed);
        s.frames.fetch_add(delivered as u64, Ordering::Relaxed);
        if missing > 0 {
            s.underruns.fetch_add(1, Ordering::Relaxed);
            s.underrun_frames.fetch_add(missing as u64, Ordering::Relaxed);
        }
    }
}

/// One stereo frame into one device frame: L/R to the first two channels, the average to a mono
/// device, silence to the rest.
#[inline]
fn write_frame<T: SizedSample + FromSample<f32>>(frame: &mut [T], left: f32, right: f32) {
    match frame {
        [mono] => *mono = T::from_sample_(0.5 * (left + right)),
        [l, r, rest @ ..] => {
            *l = T::from_sample_(left);
            *r = T::from_sample_(right);
            rest.fill(T::EQUILIBRIUM);
        }
        [] => {}
    }
}

/// The configuration [`DeviceOutput::open`] picks from a device's supported ranges.
///
/// Rate: `rate` if given (an error names the supported rates if no range holds it), else the
/// first of `default_rate`, 48000, 44100 that some range holds, else the highest rate offered.
/// Among the ranges holding that rate: stereo, else the fewest channels above two, else mono; then
/// `f32`, then `i16`, then other formats (DSD is never chosen). `period_frames` becomes a fixed
/// buffer size, clamped into the range's supported sizes when the device reports them.
pub fn choose_config(
    ranges: &[SupportedStreamConfigRange],
    rate: Option<u32>,
    default_rate: Option<u32>,
    period_frames: Option<u32>,
) -> Result<(StreamConfig, SampleFormat), String> {
    let usable: Vec<&SupportedStreamConfigRange> =
        ranges.iter().filter(|r| format_rank(r.sample_format()) > 0 && r.channels() > 0).collect();
    if usable.is_empty() {
        return Err("the device offers no PCM output configuration".into());
    }
    let holds = |hz: u32| usable.iter().any(|r| r.min_sample_rate() <= hz && hz <= r.max_sample_rate());
    let rate = match rate {
        Some(hz) if holds(hz) => hz,
        Some(hz) => {
            return Err(format!("{hz} Hz is not supported; the device offers {} Hz", rate_text(&merged_rates(usable.iter().copied()))));
        }
        None => default_rate
            .into_iter()
            .chain(PREFERRED_RATES)
            .find(|&hz| holds(hz))
            .unwrap_or_else(|| usable.iter().map(|r| r.max_sample_rate()).max().unwrap_or(PREFERRED_RATES[0])),
    };
    let best = usable
        .iter()
        .filter(|r| r.min_sample_rate() <= rate && rate <= r.max_sample_rate())
        .max_by_key(|r| (channel_rank(r.channels()), format_rank(r.sample_format())))
        .ok_or_else(|| format!("no configuration at {rate} Hz"))?;
    let buffer_size = match (period_frames, best.buffer_size()) {
        (None, _) => BufferSize::Default,
        (Some(p), SupportedBufferSize::Range { min, max }) => BufferSize::Fixed(p.clamp(*min, (*max).max(*min))),
        (Some(p), SupportedBufferSize::Unknown) => BufferSize::Fixed(p),
    };
    Ok((StreamConfig { channels: best.channels(), sample_rate: rate, buffer_size }, best.sample_format()))
}

/// The sample rates of `ranges` as sorted ranges, overlapping or adjacent ones merged (Hz).
fn merged_rates<'a>(ranges: impl Iterator<Item = &'a SupportedStreamConfigRange>) -> Vec<RangeInclusive<u32>> {
    let mut rates: Vec<(u32, u32)> = ranges.map(|r| (r.min_sample_rate(), r.max_sample_rate())).collect();
    rates.sort_unstable();
    let mut merged: Vec<RangeInclusive<u32>> = Vec::new();
    for (lo, hi) in rates {
        match merged.last_mut() {
            Some(last) if lo <= last.end().saturating_add(1) => *last = *last.start()..=hi.max(*last.end()),
            _ => merged.push(lo..=hi),
        }
    }
    merged
}

/// `44100, 48000–96000`.
fn rate_text(rates: &[RangeInclusive<u32>]) -> String {
    let parts: Vec<String> =
        rates.iter().map(|r| if r.start() == r.end() { r.start().to_string() } else { format!("{}–{}", r.start(), r.end()) }).collect();
    parts.join(", ")
}

/// Stereo best, then the fewest channels above two, then mono.
fn channel_rank(channels: u16) -> i32 {
    match channels {
        2 => i32::MAX,
        1 => 0,
        n => i32::MAX - 1 - n as i32,
    }
}

/// Higher is better; 0 means unusable (DSD is not PCM).
fn format_rank(format: SampleFormat) -> u8 {
    use SampleFormat::*;
    match format {
        F32 => 12,
        I16 => 11,
        I32 => 10,
        I24 => 9,
        F64 => 8,
        U16 => 7,
        U32 => 6,
        U24 => 5,
        I8 => 4,
        U8 => 3,
        I64 => 2,
        U64 => 1,
        _ => 0,
    }
}

/// What the error callback saw, as one byte it can store without allocating. Higher codes win
/// when several errors arrive between two polls.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fault {
    Xrun = 1,
    RealtimeDenied = 2,
    DeviceChanged = 3,
    Other = 4,
    Invalidated = 5,
    DeviceLost = 6,
}

impl Fault {
    fn of(kind: ErrorKind) -> Fault {
        match kind {
            ErrorKind::Xrun => Fault::Xrun,
            ErrorKind::RealtimeDenied => Fault::RealtimeDenied,
            ErrorKind::DeviceChanged => Fault::DeviceChanged,
            ErrorKind::StreamInvalidated => Fault::Invalidated,
            ErrorKind::DeviceNotAvailable | ErrorKind::HostUnavailable => Fault::DeviceLost,
            _ => Fault::Other,
        }
    }

    fn from_code(code: u8) -> Option<Fault> {
        [Fault::Xrun, Fault::RealtimeDenied, Fault::DeviceChanged, Fault::Other, Fault::Invalidated, Fault::DeviceLost]
            .into_iter()
            .find(|f| *f as u8 == code)
    }

    /// Faults after which the stream no longer plays and must be rebuilt.
    fn fatal(self) -> bool {
        matches!(self, Fault::Other | Fault::Invalidated | Fault::DeviceLost)
    }

    fn describe(self) -> &'static str {
        match self {
            Fault::Xrun => "the device ran out of samples (xrun)",
            Fault::RealtimeDenied => "real-time scheduling was refused for the audio thread; expect glitches under load",
            Fault::DeviceChanged => "the system rerouted the stream to another device",
            Fault::Other => "the stream reported an error",
            Fault::Invalidated => "the stream's configuration changed under it",
            Fault::DeviceLost => "the device disappeared",
        }
    }
}

/// The ring a started output plays from, and the counters it counts into.
struct Feed {
    ring: Arc<HeapRb<f32>>,
    stats: Arc<DeviceStats>,
}

/// What the stream's error callback runs: count the error, and keep the worst [`Fault`] since the
/// last poll for [`DeviceOutput::poll`] to act on. Real-time safe: two atomic operations.
#[derive(Clone)]
struct ErrorSink {
    fault: Arc<AtomicU8>,
    stats: Arc<DeviceStats>,
}

impl ErrorSink {
    fn report(&self, kind: ErrorKind) {
        self.stats.errors.fetch_add(1, Ordering::Relaxed);
        self.fault.fetch_max(Fault::of(kind) as u8, Ordering::Relaxed);
    }
}

/// A sound-card output stream fed from the render thread's ring.
///
/// Lifecycle: [`open`](Self::open) picks the device and configuration, [`start`](Self::start) builds
/// and plays the stream, and the owning thread calls [`poll`](Self::poll) every ~50 ms so a lost or
/// failing device is reported and reopened. Dropping it stops the stream.
///
/// Threads: in cpal 0.18 every host's `Stream` is `Send + Sync` (cpal asserts it), so this type is
/// `Send`; still, keep it on one thread — the one that opened it — and call `start`/`poll` only
/// there, since opening and reopening may block on the audio server.
pub struct DeviceOutput {
    device: cpal::Device,
    /// The name the caller asked for (`None`: the default device); reopening tries it first.
    requested: Option<String>,
    name: String,
    /// The period the caller asked for (frames), kept for reopening.
    period_frames: Option<u32>,
    config: StreamConfig,
    format: SampleFormat,
    stream: Option<cpal::Stream>,
    feed: Option<Feed>,
    /// The highest [`Fault`] code the error callback stored since the last poll (0: none).
    fault: Arc<AtomicU8>,
    /// Callback count at the last poll that saw it change, and when.
    progress: (u64, Instant),
    /// When to retry a lost device next (`Some` only while there is no stream).
    retry_at: Option<Instant>,
    /// When a recovery last reopened the stream.
    reopened_at: Option<Instant>,
    /// The device keeps failing right after each reopen: quiet until it plays for [`SETTLE`].
    flapping: bool,
    /// Streams rebuilt after a failure.
    reopens: u64,
}

impl DeviceOutput {
    /// Opens `device` (exact name from [`list_devices`], or its description) or the default output.
    ///
    /// `sample_rate` in Hz (`None`: the device's default, preferring 48000/44100); `period_frames`
    /// is the device buffer per callback in frames (`None`: the host's default). Nothing plays until
    /// [`start`](Self::start).
    pub fn open(device: Option<&str>, sample_rate: Option<u32>, period_frames: Option<u32>) -> Result<DeviceOutput, Error> {
        let host = cpal::default_host();
        let found = find_device(&host, device)?;
        let (config, format) = configure(&found, sample_rate, period_frames)?;
        Ok(DeviceOutput {
            name: device_id(&found),
            device: found,
            requested: device.map(str::to_string),
            period_frames,
            config,
            format,
            stream: None,
            feed: None,
            fault: Arc::new(AtomicU8::new(0)),
            progress: (0, Instant::now()),
            retry_at: None,
            reopened_at: None,
            flapping: false,
            reopens: 0,
        })
    }

    /// The stream's sample rate in Hz (render at this rate).
    pub fn sample_rate(&self) -> u32 {
        self.config.sample_rate
    }

    /// The device's interleaved channel count (the ring is always stereo).
    pub fn channels(&self) -> u16 {
        self.config.channels
    }

    /// The device's name (host id, e.g. `default`).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The device's sample format (converted from the ring's `f32` in the callback).
    pub fn sample_format(&self) -> SampleFormat {
        self.format
    }

    /// Streams rebuilt after a failure so far (each successful reopen, at once or on a retry).
    pub fn reopens(&self) -> u64 {
        self.reopens
    }

    /// Frames per callback as the host reports it once started (`None` before, or if unknown).
    pub fn buffer_frames(&self) -> Option<u32> {
        self.stream.as_ref().and_then(|s| s.buffer_size().ok())
    }

    /// Builds the stream and starts playing from `ring` (interleaved stereo `f32`, at
    /// [`sample_rate`](Self::sample_rate)), counting into `stats`.
    ///
    /// Takes the ring's consumer end; no other consumer may exist. Calling it again replaces the
    /// stream (and the ring).
    pub fn start(&mut self, ring: Arc<HeapRb<f32>>, stats: Arc<DeviceStats>) -> Result<(), Error> {
        self.stream = None;
        self.feed = Some(Feed { ring, stats });
        let played = self.play();
        if played.is_err() {
            self.feed = None;
        }
        played
    }

    /// Checks the stream; call every ~50 ms from the owning thread. Returns a message when
    /// something happened that a user should hear about.
    ///
    /// If the error callback reported a fatal error (device lost, stream invalidated, a backend
    /// or any other error that is not an xrun, a reroute or a refused real-time priority) or the
    /// callbacks stopped for 2 s, the stream is dropped and the same device — else the default
    /// one — is reopened at the same rate and restarted from the same ring. While no device can
    /// be opened it retries every second and stays quiet until one is back. A device that fails
    /// again within 2 s of being reopened is retried once a second, reported once, and reported
    /// again when it has played for 2 s.
    pub fn poll(&mut self) -> Option<String> {
        self.feed.as_ref()?;
        if self.stream.is_none() {
            return self.retry();
        }
        match Fault::from_code(self.fault.swap(0, Ordering::Relaxed)) {
            Some(f) if f.fatal() => self.recover(f.describe()),
            Some(Fault::Xrun) | None => self.settled().or_else(|| self.check_progress()),
            Some(f) => Some(format!("audio device '{}': {}", self.name, f.describe())),
        }
    }

    /// Test hook: run the stream's error handler — exactly what cpal's error callback runs — with
    /// an error of `kind`, as if the device had reported it. The next [`poll`](Self::poll) acts on
    /// it. Does nothing before [`start`](Self::start).
    #[doc(hidden)]
    pub fn inject_error(&self, kind: ErrorKind) {
        if let Some(feed) = &self.feed {
            ErrorSink { fault: self.fault.clone(), stats: feed.stats.clone() }.report(kind);
        }
    }

    /// After repeated failures: the device has now played for [`SETTLE`] since its last reopen.
    fn settled(&mut self) -> Option<String> {
        if !self.flapping || self.reopened_at.is_some_and(|t| t.elapsed() < SETTLE) {
            return None;
        }
        self.flapping = false;
        Some(format!("audio device '{}' plays again at {} Hz", self.name, self.sample_rate()))
    }

    fn check_progress(&mut self) -> Option<String> {
        let callbacks = self.feed.as_ref().map_or(0, |f| f.stats.callbacks.load(Ordering::Relaxed));
        if callbacks != self.progress.0 {
            self.progress = (callbacks, Instant::now());
            return None;
        }
        if self.progress.1.elapsed() < STALL {
            return None;
        }
        self.recover("it stopped asking for samples")
    }

    /// Drops the stream and tries to reopen; the message says what happened either way. A stream
    /// that fails again right after a reopen waits for the next retry (a second), and only the
    /// first such failure is reported.
    fn recover(&mut self, why: &str) -> Option<String> {
        let lost = self.name.clone();
        self.stream = None;
        if self.reopened_at.is_some_and(|t| t.elapsed() < SETTLE) {
            self.retry_at = Some(Instant::now() + RETRY);
            if std::mem::replace(&mut self.flapping, true) {
                return None;
            }
            return Some(format!("audio device '{lost}' failed again: {why}; retrying every second"));
        }
        match self.reopen() {
            Ok(()) => Some(format!("audio device '{lost}' failed: {why}; reopened '{}' at {} Hz", self.name, self.sample_rate())),
            Err(e) => {
                self.retry_at = Some(Instant::now() + RETRY);
                Some(format!("audio device '{lost}' failed: {why}; cannot reopen it ({}); retrying every second", detail(&e)))
            }
        }
    }

    fn retry(&mut self) -> Option<String> {
        if self.retry_at.is_some_and(|t| Instant::now() < t) {
            return None;
        }
        match self.reopen() {
            Ok(()) if self.flapping => None, // reported once it has played for SETTLE
            Ok(()) => Some(format!("audio device '{}' is back: playing at {} Hz", self.name, self.sample_rate())),
            Err(_) => {
                self.retry_at = Some(Instant::now() + RETRY);
                None
            }
        }
    }

    /// Opens the requested device, else the default, at the current rate and period, and plays.
    fn reopen(&mut self) -> Result<(), Error> {
        let host = cpal::default_host();
        let period = self.period_frames;
        let rate = Some(self.config.sample_rate);
        let attempt = |name: Option<&str>| find_device(&host, name).and_then(|d| configure(&d, rate, period).map(|c| (d, c)));
        let (device, (config, format)) =
            attempt(self.requested.as_deref()).or_else(|e| if self.requested.is_some() { attempt(None) } else { Err(e) })?;
        self.name = device_id(&device);
        self.device = device;
        self.config = config;
        self.format = format;
        self.play()?;
        self.reopened_at = Some(Instant::now());
        self.reopens += 1;
        Ok(())
    }

    /// Builds the stream for the current device/config and feed, and starts it.
    fn play(&mut self) -> Result<(), Error> {
        let Some(feed) = &self.feed else { return Err(Error::Audio("not started".into())) };
        let (ring, stats) = (feed.ring.clone(), feed.stats.clone());
        self.fault.store(0, Ordering::Relaxed);
        let (stream, config) = self.build_any_period(&ring, &stats)?;
        stream.play().map_err(|e| audio_err(&format!("cannot start '{}'", self.name), &e))?;
        self.config = config;
        self.progress = (stats.callbacks.load(Ordering::Relaxed), Instant::now());
        self.retry_at = None;
        self.stream = Some(stream);
        Ok(())
    }

    /// The stream at the chosen period, or, if the device refuses that period (ALSA's `plug` over
    /// a JACK server at another rate accepts only one size), at the host's default period — which
    /// can be much longer: [`buffer_frames`](Self::buffer_frames) tells.
    fn build_any_period(&self, ring: &Arc<HeapRb<f32>>, stats: &Arc<DeviceStats>) -> Result<(cpal::Stream, StreamConfig), Error> {
        match self.build(ring, stats, self.config) {
            Err(refused) if self.config.buffer_size != BufferSize::Default => {
                let config = StreamConfig { buffer_size: BufferSize::Default, ..self.config };
                self.build(ring, stats, config).map(|s| (s, config)).map_err(|_| refused)
            }
            built => built.map(|s| (s, self.config)),
        }
    }

    fn build(&self, ring: &Arc<HeapRb<f32>>, stats: &Arc<DeviceStats>, config: StreamConfig) -> Result<cpal::Stream, Error> {
        let reader = RingReader::new(ring.clone(), config.channels, stats.clone())?;
        build_stream(&self.device, config, self.format, reader, ErrorSink { fault: self.fault.clone(), stats: stats.clone() })
    }
}

/// The device called `name` (host id, else description), or the default output device.
fn find_device(host: &cpal::Host, name: Option<&str>) -> Result<cpal::Device, Error> {
    let Some(name) = name else {
        return host.default_output_device().ok_or_else(|| Error::Audio("there is no default output device".into()));
    };
    let devices = output_devices(host)?;
    let by_id = devices.iter().position(|d| device_id(d) == name);
    let by_description = || devices.iter().position(|d| d.description().is_ok_and(|desc| desc.name() == name));
    match by_id.or_else(by_description) {
        Some(i) => Ok(devices[i].clone()),
        None => {
            let names: Vec<String> = devices.iter().map(device_id).collect();
            let hint = did_you_mean(name, names.iter().map(String::as_str));
            Err(Error::Audio(format!("no output device named '{name}'{hint}; available: {}", names.join(", "))))
        }
    }
}

/// The stream configuration and sample format for `device` ([`choose_config`] over its ranges).
fn configure(device: &cpal::Device, rate: Option<u32>, period_frames: Option<u32>) -> Result<(StreamConfig, SampleFormat), Error> {
    let name = device_id(device);
    let ranges: Vec<_> = device.supported_output_configs().map_err(|e| audio_err(&format!("cannot query '{name}'"), &e))?.collect();
    let default_rate = device.default_output_config().ok().map(|c| c.sample_rate());
    choose_config(&ranges, rate, default_rate, period_frames).map_err(|msg| Error::Audio(format!("'{name}': {msg}")))
}

/// Builds (paused) the output stream in the device's sample format; the callbacks own `reader`.
fn build_stream(
    device: &cpal::Device,
    config: StreamConfig,
    format: SampleFormat,
    reader: RingReader,
    errors: ErrorSink,
) -> Result<cpal::Stream, Error> {
    // Real-time: stores a code and counts; the cpal error is dropped here (its message, if any,
    // was allocated by cpal before the call).
    let on_error = move |e: cpal::Error| errors.report(e.kind());
    macro_rules! typed {
        ($t:ty) => {{
            let mut reader = reader;
            device.build_output_stream::<$t, _, _>(config, move |out: &mut [$t], _| reader.fill(out), on_error, None)
        }};
    }
    let built = match format {
        SampleFormat::F32 => typed!(f32),
        SampleFormat::I16 => typed!(i16),
        SampleFormat::I32 => typed!(i32),
        SampleFormat::I24 => typed!(cpal::I24),
        SampleFormat::F64 => typed!(f64),
        SampleFormat::U16 => typed!(u16),
        SampleFormat::U32 => typed!(u32),
        SampleFormat::U24 => typed!(cpal::U24),
        SampleFormat::I8 => typed!(i8),
        SampleFormat::U8 => typed!(u8),
        SampleFormat::I64 => typed!(i64),
        SampleFormat::U64 => typed!(u64),
        other => return Err(Error::Audio(format!("sample format {other} is not PCM"))),
    };
    built.map_err(|e| audio_err(&format!("cannot open a {} ch {} Hz {format} stream", config.channels, config.sample_rate), &e))
}

/// An error's text without the `audio output: ` prefix, to nest it in a message.
fn detail(e: &Error) -> String {
    match e {
        Error::Audio(msg) => msg.clone(),
        other => other.to_string(),
    }
}

fn audio_err(context: &str, e: &cpal::Error) -> Error {
    Error::Audio(format!("{context}: {e}"))
}
