//! Adapters from the `drivers` crate to the app's ports.

use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use drivers::fingerprint::{self as fp, FingerImage, Reader, ReaderError};

use super::ports::{CancelToken, FingerCapture, FingerReader, QualityIssue, ReaderFault};

type Opener = Box<dyn Fn() -> Result<Box<dyn Reader>, ReaderError> + Send + Sync>;

/// A `drivers::fingerprint::Reader` as the app's `FingerReader`: waits for a finger (up to
/// `wait`, then `NoFinger` so the app can ask again), waits for the previous finger to be
/// lifted first, and reopens a USB reader after it was unplugged.
pub struct DriverReader {
    device: Mutex<Option<Box<dyn Reader>>>,
    reopen: Option<Opener>,
    connected: AtomicBool,
    needs_lift: AtomicBool,
    wait: Duration,
    description: Mutex<String>,
}

impl DriverReader {
    /// `reopen` opens the device again after an unplug (None: keep the same device, as for the
    /// simulated reader, which reports unplugged until it is plugged in again).
    pub fn new(device: Box<dyn Reader>, reopen: Option<Opener>, wait: Duration) -> Self {
        let description = describe(&device.info());
        Self {
            device: Mutex::new(Some(device)),
            reopen,
            connected: AtomicBool::new(true),
            needs_lift: AtomicBool::new(false),
            wait,
            description: Mutex::new(description),
        }
    }

    /// The first supported USB reader, reopened after unplugs.
    pub fn usb(wait: Duration) -> Result<Self, ReaderError> {
        let device = fp::open_first()?;
        Ok(Self::new(device, Some(Box::new(fp::open_first)), wait))
    }

    fn lost(&self, device: &mut Option<Box<dyn Reader>>) {
        self.connected.store(false, Ordering::SeqCst);
        if self.reopen.is_some() {
            *device = None;
        }
    }
}

fn describe(info: &fp::ReaderInfo) -> String {
    format!("{} ({}, {})", info.model, info.usb_id(), info.location)
}

fn fault(err: ReaderError) -> ReaderFault {
    match err {
        ReaderError::Timeout => ReaderFault::NoFinger,
        ReaderError::Cancelled => ReaderFault::Cancelled,
        ReaderError::Unplugged | ReaderError::NotFound => ReaderFault::Unplugged,
        other => ReaderFault::Device(other.to_string()),
    }
}

impl FingerReader for DriverReader {
    fn capture(&self, cancel: &CancelToken) -> Result<FingerCapture, ReaderFault> {
        let mut device = self.device.lock().unwrap_or_else(|e| e.into_inner());
        if device.is_none() {
            let Some(reopen) = &self.reopen else { return Err(ReaderFault::Unplugged) };
            match reopen() {
                Ok(d) => {
                    *self.description.lock().unwrap_or_else(|e| e.into_inner()) =
                        describe(&d.info());
                    *device = Some(d);
                    self.connected.store(true, Ordering::SeqCst);
                }
                Err(err) => {
                    self.connected.store(false, Ordering::SeqCst);
                    return Err(fault(err));
                }
            }
        }
        let Some(reader) = device.as_mut() else { return Err(ReaderFault::Unplugged) };
        let result = (|| {
            if self.needs_lift.load(Ordering::SeqCst) {
                reader.wait_finger_off(cancel, Some(self.wait))?;
                self.needs_lift.store(false, Ordering::SeqCst);
            }
            reader.wait_finger_on(cancel, Some(self.wait))?;
            reader.capture()
        })();
        match result {
            Ok(image) => {
                self.connected.store(true, Ordering::SeqCst);
                self.needs_lift.store(true, Ordering::SeqCst);
                Ok(assess(image))
            }
            Err(err) => {
                let f = fault(err);
                if f == ReaderFault::Unplugged {
                    self.lost(&mut device);
                }
                Err(f)
            }
        }
    }

    fn is_connected(&self) -> bool {
        // Never block the UI thread behind a capture in progress: then the last state is right.
        let Ok(mut device) = self.device.try_lock() else {
            return self.connected.load(Ordering::SeqCst);
        };
        match device.as_mut() {
            None => {
                if let Some(reopen) = &self.reopen {
                    if let Ok(d) = reopen() {
                        *device = Some(d);
                        self.connected.store(true, Ordering::SeqCst);
                    }
                }
            }
            Some(reader) => {
                let probe = reader.wait_finger_on(&fp::CancelToken::new(), Some(Duration::ZERO));
                let unplugged = matches!(probe, Err(ReaderError::Unplugged));
                self.connected.store(!unplugged, Ordering::SeqCst);
            }
        }
        self.connected.load(Ordering::SeqCst)
    }

    fn description(&self) -> String {
        self.description.lock().map(|d| d.clone()).unwrap_or_default()
    }
}

/// A quick look at an image before identification: contrast and brightness give the hint a
/// person can act on. Stands in until `kiosk::biometrics` offers its quality measure.
pub fn assess(image: FingerImage) -> FingerCapture {
    let n = image.pixels.len().max(1) as f64;
    let mean = image.pixels.iter().map(|&p| f64::from(p)).sum::<f64>() / n;
    let var = image.pixels.iter().map(|&p| (f64::from(p) - mean).powi(2)).sum::<f64>() / n;
    let contrast = var.sqrt();
    let quality = (contrast / 64.0 * 100.0).clamp(0.0, 100.0) as u8;
    let issue = if mean < 60.0 {
        Some(QualityIssue::TooWet)
    } else if mean > 225.0 && contrast < 20.0 {
        Some(QualityIssue::PressHarder)
    } else if contrast < 20.0 {
        Some(QualityIssue::TooDry)
    } else {
        None
    };
    FingerCapture { width: image.width, height: image.height, pixels: image.pixels, quality, issue }
}

#[cfg(test)]
mod tests {
    use super::*;
    use drivers::fingerprint::SimulatedReader;

    fn ridges() -> FingerImage {
        let pixels = (0..64 * 64).map(|i| if (i % 64) / 4 % 2 == 0 { 40 } else { 210 }).collect();
        FingerImage::new(64, 64, 500, pixels).unwrap()
    }

    #[test]
    fn captures_then_waits_for_the_finger_to_be_lifted() {
        let (sim, handle) = SimulatedReader::new();
        let reader = DriverReader::new(Box::new(sim), None, Duration::ZERO);
        let token = CancelToken::new();
        assert_eq!(reader.capture(&token), Err(ReaderFault::NoFinger));
        handle.place_finger(ridges());
        let capture = reader.capture(&token).unwrap();
        assert_eq!(capture.issue, None);
        assert_eq!(capture.pixels, ridges().pixels);
        // Same finger still on the sensor: not captured twice.
        assert_eq!(reader.capture(&token), Err(ReaderFault::NoFinger));
        handle.lift_finger();
        // The lift is seen; no new finger yet.
        assert_eq!(reader.capture(&token), Err(ReaderFault::NoFinger));
        handle.place_finger(ridges());
        assert!(reader.capture(&token).is_ok());
    }

    #[test]
    fn unplug_is_reported_and_recovers() {
        let (sim, handle) = SimulatedReader::new();
        let reader = DriverReader::new(Box::new(sim), None, Duration::ZERO);
        assert!(reader.is_connected());
        handle.unplug();
        assert_eq!(reader.capture(&CancelToken::new()), Err(ReaderFault::Unplugged));
        assert!(!reader.is_connected());
        handle.plug_in();
        assert!(reader.is_connected());
        assert!(reader.description().contains("Simulated"));
    }

    #[test]
    fn cancelled_token_stops_the_wait() {
        let (sim, _handle) = SimulatedReader::new();
        let reader = DriverReader::new(Box::new(sim), None, Duration::from_secs(5));
        let token = CancelToken::new();
        token.cancel();
        assert_eq!(reader.capture(&token), Err(ReaderFault::Cancelled));
    }

    #[test]
    fn quality_hints_from_brightness_and_contrast() {
        assert_eq!(assess(ridges()).issue, None);
        let dark = FingerImage::new(8, 8, 500, vec![20; 64]).unwrap();
        assert_eq!(assess(dark).issue, Some(QualityIssue::TooWet));
        let blank = FingerImage::new(8, 8, 500, vec![250; 64]).unwrap();
        assert_eq!(assess(blank).issue, Some(QualityIssue::PressHarder));
        let grey = FingerImage::new(8, 8, 500, vec![150; 64]).unwrap();
        assert_eq!(assess(grey).issue, Some(QualityIssue::TooDry));
    }
}
