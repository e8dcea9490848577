//! A reader without hardware: a test or the demo places and lifts fingers through a handle, or
//! the reader serves the image files of a folder one after another.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use super::{CANCEL_POLL, CancelToken, FingerImage, Reader, ReaderError, ReaderInfo};

/// Resolution assumed for images loaded from a folder (the U.are.U readers' 512 dpi).
pub const FOLDER_DPI: u32 = 512;

#[derive(Debug)]
struct SimState {
    finger: Option<FingerImage>,
    plugged: bool,
}

#[derive(Debug)]
struct Shared {
    state: Mutex<SimState>,
    changed: Condvar,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, SimState> {
        // A panic in another holder cannot leave this small state inconsistent.
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// Where the images come from.
enum Source {
    /// A test or the demo drives the finger through a [`SimulatedReaderHandle`].
    Handle,
    /// Image files served in name order, wrapping around; one per finger-on event.
    Folder { files: Vec<PathBuf>, next: usize, delay: Duration, location: String },
    /// A function called for each finger-on event (e.g. a synthetic fingerprint generator).
    Generator { next: ImageSource, delay: Duration },
}

/// Produces the image of the next finger placed on a generator-driven [`SimulatedReader`].
pub type ImageSource = Box<dyn FnMut() -> Result<FingerImage, ReaderError> + Send>;

impl std::fmt::Debug for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Handle => f.write_str("Handle"),
            Source::Folder { files, next, .. } => {
                f.debug_struct("Folder").field("files", &files.len()).field("next", next).finish()
            }
            Source::Generator { .. } => f.write_str("Generator"),
        }
    }
}

/// A reader that exists only in memory. See the module documentation.
#[derive(Debug)]
pub struct SimulatedReader {
    shared: Arc<Shared>,
    source: Source,
}

/// Drives a [`SimulatedReader`] from another thread: fingers on and off, unplug and plug in.
#[derive(Debug, Clone)]
pub struct SimulatedReaderHandle {
    shared: Arc<Shared>,
}

impl SimulatedReaderHandle {
    /// Puts a finger on the sensor; the next capture returns this image.
    pub fn place_finger(&self, image: FingerImage) {
        self.shared.lock().finger = Some(image);
        self.shared.changed.notify_all();
    }

    /// Lifts the finger.
    pub fn lift_finger(&self) {
        self.shared.lock().finger = None;
        self.shared.changed.notify_all();
    }

    /// Pulls the cable: waits and captures fail with [`ReaderError::Unplugged`] until
    /// [`plug_in`](Self::plug_in).
    pub fn unplug(&self) {
        self.shared.lock().plugged = false;
        self.shared.changed.notify_all();
    }

    /// Plugs the reader back in.
    pub fn plug_in(&self) {
        self.shared.lock().plugged = true;
        self.shared.changed.notify_all();
    }
}

impl SimulatedReader {
    /// A reader with no finger on it, plugged in, and the handle that drives it.
    pub fn new() -> (SimulatedReader, SimulatedReaderHandle) {
        let shared = Arc::new(Shared {
            state: Mutex::new(SimState { finger: None, plugged: true }),
            changed: Condvar::new(),
        });
        let handle = SimulatedReaderHandle { shared: Arc::clone(&shared) };
        (SimulatedReader { shared, source: Source::Handle }, handle)
    }

    /// A reader serving the image files (png, tif, tiff, bmp) of `folder` in name order: each
    /// `wait_finger_on` places the next one, each `wait_finger_off` lifts it; after the last
    /// file it starts again. Fails with `NotFound` when the folder holds no image.
    pub fn from_folder(folder: impl AsRef<Path>) -> Result<SimulatedReader, ReaderError> {
        let folder = folder.as_ref();
        let entries = std::fs::read_dir(folder).map_err(|_| ReaderError::NotFound)?;
        let mut files: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|path| {
                path.extension().and_then(|e| e.to_str()).is_some_and(|e| {
                    matches!(e.to_ascii_lowercase().as_str(), "png" | "tif" | "tiff" | "bmp")
                })
            })
            .collect();
        files.sort();
        if files.is_empty() {
            return Err(ReaderError::NotFound);
        }
        let (mut reader, _handle) = SimulatedReader::new();
        reader.source = Source::Folder {
            files,
            next: 0,
            delay: Duration::ZERO,
            location: folder.display().to_string(),
        };
        Ok(reader)
    }

    /// A reader that calls `next` for the image of each finger placed (e.g. the synthetic
    /// fingerprint generator); an error from `next` is returned by `wait_finger_on`.
    pub fn from_source(next: ImageSource) -> SimulatedReader {
        let (mut reader, _handle) = SimulatedReader::new();
        reader.source = Source::Generator { next, delay: Duration::ZERO };
        reader
    }

    /// For a folder or generator reader: how long a finger takes to "arrive" in
    /// `wait_finger_on`, so a demo shows its waiting screen for a moment. No effect on a
    /// handle-driven reader.
    pub fn with_finger_delay(mut self, delay: Duration) -> Self {
        match &mut self.source {
            Source::Folder { delay: d, .. } | Source::Generator { delay: d, .. } => *d = delay,
            Source::Handle => {}
        }
        self
    }

    fn serves_itself(&self) -> bool {
        !matches!(self.source, Source::Handle)
    }

    /// A handle on this reader (for a folder reader: to unplug it in tests).
    pub fn handle(&self) -> SimulatedReaderHandle {
        SimulatedReaderHandle { shared: Arc::clone(&self.shared) }
    }

    /// Waits until `done` holds for the state, polling the token every `CANCEL_POLL`.
    fn wait_until(
        &self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
        done: impl Fn(&SimState) -> bool,
    ) -> Result<(), ReaderError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        let mut state = self.shared.lock();
        loop {
            if !state.plugged {
                return Err(ReaderError::Unplugged);
            }
            if done(&state) {
                return Ok(());
            }
            if cancel.is_cancelled() {
                return Err(ReaderError::Cancelled);
            }
            let mut slice = CANCEL_POLL;
            if let Some(deadline) = deadline {
                let left = deadline.saturating_duration_since(Instant::now());
                if left.is_zero() {
                    return Err(ReaderError::Timeout);
                }
                slice = slice.min(left);
            }
            state = self
                .shared
                .changed
                .wait_timeout(state, slice)
                .unwrap_or_else(|poisoned| poisoned.into_inner())
                .0;
        }
    }

    /// Folder or generator reader: places the next image, after the configured delay.
    fn place_next(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        let delay = match &self.source {
            Source::Handle => return Ok(()),
            Source::Folder { delay, .. } | Source::Generator { delay, .. } => *delay,
        };
        if !self.shared.lock().plugged {
            return Err(ReaderError::Unplugged);
        }
        if !delay.is_zero() {
            // Waiting for "nothing" but cancel/unplug/timeout: the finger comes after `delay`.
            let wait = timeout.map_or(delay, |t| t.min(delay));
            match self.wait_until(cancel, Some(wait), |_| false) {
                Err(ReaderError::Timeout) if timeout.is_none_or(|t| t > delay) => {}
                other => other?,
            }
        }
        let image = match &mut self.source {
            Source::Handle => return Ok(()),
            Source::Folder { files, next, .. } => {
                let path = &files[*next % files.len()];
                *next = (*next + 1) % files.len();
                FingerImage::load(path, FOLDER_DPI)?
            }
            Source::Generator { next, .. } => next()?,
        };
        self.shared.lock().finger = Some(image);
        Ok(())
    }
}

impl Reader for SimulatedReader {
    fn info(&self) -> ReaderInfo {
        let location = match &self.source {
            Source::Handle => "memory".to_owned(),
            Source::Folder { location, .. } => location.clone(),
            Source::Generator { .. } => "generator".to_owned(),
        };
        ReaderInfo {
            driver: "simulated",
            model: "Simulated reader".to_owned(),
            vendor_id: 0,
            product_id: 0,
            location,
        }
    }

    fn wait_finger_on(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        if self.serves_itself() && self.shared.lock().finger.is_none() {
            self.place_next(cancel, timeout)?;
        }
        self.wait_until(cancel, timeout, |s| s.finger.is_some())
    }

    fn capture(&mut self) -> Result<FingerImage, ReaderError> {
        let state = self.shared.lock();
        if !state.plugged {
            return Err(ReaderError::Unplugged);
        }
        state
            .finger
            .clone()
            .ok_or_else(|| ReaderError::Protocol("capture without a finger on the sensor".into()))
    }

    fn wait_finger_off(
        &mut self,
        cancel: &CancelToken,
        timeout: Option<Duration>,
    ) -> Result<(), ReaderError> {
        if self.serves_itself() {
            let mut state = self.shared.lock();
            if !state.plugged {
                return Err(ReaderError::Unplugged);
            }
            state.finger = None;
        }
        self.wait_until(cancel, timeout, |s| s.finger.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::thread;

    fn image(shade: u8) -> FingerImage {
        FingerImage::new(4, 3, 500, vec![shade; 12]).unwrap()
    }

    #[test]
    fn finger_on_capture_off_through_the_handle() {
        let (mut reader, handle) = SimulatedReader::new();
        let cancel = CancelToken::new();
        let placer = handle.clone();
        let t = thread::spawn(move || placer.place_finger(image(7)));
        reader.wait_finger_on(&cancel, Some(Duration::from_secs(5))).unwrap();
        t.join().unwrap();
        assert_eq!(reader.capture().unwrap(), image(7));
        handle.lift_finger();
        reader.wait_finger_off(&cancel, Some(Duration::from_millis(10))).unwrap();
    }

    #[test]
    fn wait_times_out_without_finger() {
        let (mut reader, _handle) = SimulatedReader::new();
        let err = reader.wait_finger_on(&CancelToken::new(), Some(Duration::from_millis(20)));
        assert!(matches!(err, Err(ReaderError::Timeout)));
    }

    #[test]
    fn cancel_stops_a_wait_within_200_ms() {
        let (mut reader, _handle) = SimulatedReader::new();
        let cancel = CancelToken::new();
        let canceller = cancel.clone();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(30));
            canceller.cancel();
            Instant::now()
        });
        let err = reader.wait_finger_on(&cancel, None);
        let returned = Instant::now();
        let cancelled_at = t.join().unwrap();
        assert!(matches!(err, Err(ReaderError::Cancelled)));
        assert!(returned.duration_since(cancelled_at) < Duration::from_millis(200));
    }

    #[test]
    fn unplug_fails_waits_and_captures_until_plugged_in() {
        let (mut reader, handle) = SimulatedReader::new();
        let cancel = CancelToken::new();
        handle.place_finger(image(1));
        handle.unplug();
        assert!(matches!(reader.wait_finger_on(&cancel, None), Err(ReaderError::Unplugged)));
        assert!(matches!(reader.capture(), Err(ReaderError::Unplugged)));
        handle.plug_in();
        reader.wait_finger_on(&cancel, None).unwrap();
        assert_eq!(reader.capture().unwrap(), image(1));
    }

    #[test]
    fn unplug_wakes_a_pending_wait() {
        let (mut reader, handle) = SimulatedReader::new();
        let t = thread::spawn(move || {
            thread::sleep(Duration::from_millis(20));
            handle.unplug();
        });
        let err = reader.wait_finger_on(&CancelToken::new(), None);
        t.join().unwrap();
        assert!(matches!(err, Err(ReaderError::Unplugged)));
    }

    #[test]
    fn folder_serves_images_in_name_order_and_wraps() {
        let dir = tempfile::tempdir().unwrap();
        for (name, shade) in [("b.png", 20u8), ("a.png", 10), ("notes.txt", 0)] {
            let path = dir.path().join(name);
            if name.ends_with(".png") {
                image::GrayImage::from_pixel(5, 2, image::Luma([shade])).save(&path).unwrap();
            } else {
                std::fs::write(&path, "not an image").unwrap();
            }
        }
        let mut reader = SimulatedReader::from_folder(dir.path()).unwrap();
        let cancel = CancelToken::new();
        let mut shades = Vec::new();
        for _ in 0..3 {
            reader.wait_finger_on(&cancel, Some(Duration::from_secs(1))).unwrap();
            let img = reader.capture().unwrap();
            assert_eq!((img.width, img.height, img.dpi), (5, 2, FOLDER_DPI));
            shades.push(img.pixels[0]);
            reader.wait_finger_off(&cancel, Some(Duration::from_secs(1))).unwrap();
        }
        assert_eq!(shades, vec![10, 20, 10]);
        assert_eq!(reader.info().driver, "simulated");
    }

    #[test]
    fn generator_serves_one_image_per_finger_with_delay_and_cancel() {
        let mut n = 0u8;
        let mut reader = SimulatedReader::from_source(Box::new(move || {
            n += 1;
            if n == 3 {
                return Err(ReaderError::Protocol("generator failed".into()));
            }
            Ok(image(n))
        }))
        .with_finger_delay(Duration::from_millis(20));
        let cancel = CancelToken::new();
        for expected in [1, 2] {
            reader.wait_finger_on(&cancel, None).unwrap();
            assert_eq!(reader.capture().unwrap(), image(expected));
            reader.wait_finger_off(&cancel, None).unwrap();
        }
        assert!(matches!(reader.wait_finger_on(&cancel, None), Err(ReaderError::Protocol(_))));
        // A timeout shorter than the delay: no finger yet.
        let err = reader.wait_finger_on(&cancel, Some(Duration::from_millis(5)));
        assert!(matches!(err, Err(ReaderError::Timeout)));
        assert_eq!(reader.info().location, "generator");
    }

    #[test]
    fn folder_without_images_is_not_found() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(SimulatedReader::from_folder(dir.path()), Err(ReaderError::NotFound)));
    }

    #[test]
    fn corrupt_image_in_folder_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("x.png"), b"\x89PNG garbage").unwrap();
        let mut reader = SimulatedReader::from_folder(dir.path()).unwrap();
        let err = reader.wait_finger_on(&CancelToken::new(), None);
        assert!(matches!(err, Err(ReaderError::Protocol(_))));
    }
}
