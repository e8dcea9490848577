//! Finding supported readers on USB: the id table, enumeration, opening the first one, and
//! waiting for a reader to (re)appear after it was unplugged.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rusb::UsbContext;

use super::transport::RusbTransport;
use super::uru4000::{self, Seeds};
use super::{CANCEL_POLL, CancelToken, Nb1010, Reader, ReaderError, ReaderInfo, Uru4000};

/// One USB id the drivers support.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SupportedDevice {
    /// USB vendor id.
    pub vendor_id: u16,
    /// USB product id.
    pub product_id: u16,
    /// Driver name, as in [`ReaderInfo::driver`].
    pub driver: &'static str,
    /// Model name shown to people.
    pub model: &'static str,
}

/// Every supported reader. `scripts/udev/60-kiosk-readers.rules` lists the same ids.
pub const SUPPORTED: &[SupportedDevice] = &[
    SupportedDevice {
        vendor_id: 0x05ba,
        product_id: 0x000a,
        driver: "uru4000",
        model: "DigitalPersona U.are.U 4000B/4500",
    },
    SupportedDevice {
        vendor_id: 0x045e,
        product_id: 0x00ca,
        driver: "uru4000",
        model: "Microsoft Fingerprint Reader v2",
    },
    SupportedDevice {
        vendor_id: 0x298d,
        product_id: 0x1010,
        driver: "nb1010",
        model: "NEXT Biometrics NB-1010-U",
    },
];

/// The table entry for a USB id, if the drivers support it.
pub fn supported(vendor_id: u16, product_id: u16) -> Option<&'static SupportedDevice> {
    SUPPORTED.iter().find(|d| d.vendor_id == vendor_id && d.product_id == product_id)
}

/// `usb:BUS-PORT.PORT...`: stable while the cable stays in the same socket.
fn location(device: &rusb::Device<rusb::Context>) -> String {
    let ports = device.port_numbers().unwrap_or_default();
    let ports: Vec<String> = ports.iter().map(u8::to_string).collect();
    if ports.is_empty() {
        format!("usb:{}-addr{}", device.bus_number(), device.address())
    } else {
        format!("usb:{}-{}", device.bus_number(), ports.join("."))
    }
}

/// Supported devices on the bus, with their table entry, in bus order.
fn supported_devices(
    context: &rusb::Context,
) -> Result<Vec<(rusb::Device<rusb::Context>, &'static SupportedDevice)>, ReaderError> {
    let mut found = Vec::new();
    for device in context.devices()?.iter() {
        let Ok(desc) = device.device_descriptor() else { continue };
        if let Some(entry) = supported(desc.vendor_id(), desc.product_id()) {
            found.push((device, entry));
        }
    }
    Ok(found)
}

fn info_of(device: &rusb::Device<rusb::Context>, entry: &SupportedDevice) -> ReaderInfo {
    ReaderInfo {
        driver: entry.driver,
        model: entry.model.to_owned(),
        vendor_id: entry.vendor_id,
        product_id: entry.product_id,
        location: location(device),
    }
}

/// A libusb context, or `None` when the machine has no USB to talk to: libusb refuses to
/// start without usbfs (`/dev/bus/usb`), and then no reader can be connected either.
fn usb_context() -> Option<rusb::Context> {
    match rusb::Context::new() {
        Ok(context) => Some(context),
        Err(err) => {
            tracing::debug!(%err, "USB is not available on this machine");
            None
        }
    }
}

/// Supported readers on USB (possibly none).
pub fn list() -> Result<Vec<ReaderInfo>, ReaderError> {
    let Some(context) = usb_context() else { return Ok(Vec::new()) };
    Ok(supported_devices(&context)?.iter().map(|(d, e)| info_of(d, e)).collect())
}

/// Opens and powers up the first supported reader on USB.
pub fn open_first() -> Result<Box<dyn Reader>, ReaderError> {
    let context = usb_context().ok_or(ReaderError::NotFound)?;
    let devices = supported_devices(&context)?;
    let Some((device, entry)) = devices.into_iter().next() else {
        return Err(ReaderError::NotFound);
    };
    let info = info_of(&device, entry);
    tracing::info!(model = %info.model, id = %info.usb_id(), at = %info.location, "opening reader");
    open_device(context, device, info)
}

fn open_device(
    context: rusb::Context,
    device: rusb::Device<rusb::Context>,
    info: ReaderInfo,
) -> Result<Box<dyn Reader>, ReaderError> {
    let transport = RusbTransport::open(context, &device)?;
    match info.driver {
        "uru4000" => {
            let profile =
                uru4000::profile(info.vendor_id, info.product_id).ok_or(ReaderError::NotFound)?;
            Ok(Box::new(Uru4000::open(transport, profile, info, Seeds::from_env())?))
        }
        "nb1010" => Ok(Box::new(Nb1010::open(transport, info)?)),
        _ => Err(ReaderError::NotFound),
    }
}

/// How often [`wait_for_reader`] enumerates the bus.
const REPLUG_POLL: Duration = Duration::from_millis(500);

/// Sets a flag when libusb reports a device arriving.
struct ArrivalFlag(Arc<AtomicBool>);

impl<T: UsbContext> rusb::Hotplug<T> for ArrivalFlag {
    fn device_arrived(&mut self, _device: rusb::Device<T>) {
        self.0.store(true, Ordering::SeqCst);
    }

    fn device_left(&mut self, _device: rusb::Device<T>) {}
}

/// libusb hot-plug events where the platform has them; `None` means plain polling.
struct HotplugWatch {
    context: rusb::Context,
    _registration: rusb::Registration<rusb::Context>,
    arrived: Arc<AtomicBool>,
}

impl HotplugWatch {
    fn new() -> Option<Self> {
        // Not `rusb::has_hotplug()`: it panics when libusb cannot start (no usbfs).
        let context = usb_context()?;
        // SAFETY: a plain capability query; libusb is initialised (the context exists).
        let capable = unsafe {
            rusb::ffi::libusb_has_capability(rusb::constants::LIBUSB_CAP_HAS_HOTPLUG) != 0
        };
        if !capable {
            return None;
        }
        let arrived = Arc::new(AtomicBool::new(false));
        let registration = rusb::HotplugBuilder::new()
            .enumerate(false)
            .register(&context, Box::new(ArrivalFlag(Arc::clone(&arrived))))
            .map_err(|err| tracing::debug!(%err, "no USB hot-plug events, polling"))
            .ok()?;
        Some(Self { context, _registration: registration, arrived })
    }

    /// Waits `duration` or until a device arrives; true if one did.
    fn wait(&self, duration: Duration) -> bool {
        let deadline = Instant::now() + duration;
        loop {
            if self.arrived.swap(false, Ordering::SeqCst) {
                return true;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return false;
            }
            if self.context.handle_events(Some(left)).is_err() {
                std::thread::sleep(left);
            }
        }
    }
}

/// Waits until a supported reader is on the bus (e.g. after [`ReaderError::Unplugged`]) and
/// returns its info; then [`open_first`] opens it. Enumerates at once when libusb reports a
/// device arriving (hot-plug, where the platform supports it) and every 500 ms regardless
/// (polling, everywhere); looks at the token every 50 ms.
pub fn wait_for_reader(
    cancel: &CancelToken,
    timeout: Option<Duration>,
) -> Result<ReaderInfo, ReaderError> {
    let watch = HotplugWatch::new();
    let wait = |d: Duration| match &watch {
        Some(watch) => watch.wait(d),
        None => {
            std::thread::sleep(d);
            false
        }
    };
    wait_for_with(list, wait, cancel, timeout)
}

/// [`wait_for_reader`] with the enumeration and the wait injected, for tests. `wait(d)` waits
/// `d` and says whether a device arrived meanwhile (then the bus is enumerated at once).
pub(crate) fn wait_for_with(
    mut list: impl FnMut() -> Result<Vec<ReaderInfo>, ReaderError>,
    mut wait: impl FnMut(Duration) -> bool,
    cancel: &CancelToken,
    timeout: Option<Duration>,
) -> Result<ReaderInfo, ReaderError> {
    let mut waited = Duration::ZERO;
    loop {
        if cancel.is_cancelled() {
            return Err(ReaderError::Cancelled);
        }
        if let Some(first) = list()?.into_iter().next() {
            return Ok(first);
        }
        let mut slept = Duration::ZERO;
        while slept < REPLUG_POLL {
            if timeout.is_some_and(|t| waited >= t) {
                return Err(ReaderError::Timeout);
            }
            let arrived = wait(CANCEL_POLL);
            slept += CANCEL_POLL;
            waited += CANCEL_POLL;
            if cancel.is_cancelled() {
                return Err(ReaderError::Cancelled);
            }
            if arrived {
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nb1010_info() -> ReaderInfo {
        ReaderInfo {
            driver: "nb1010",
            model: "NEXT Biometrics NB-1010-U".into(),
            vendor_id: 0x298d,
            product_id: 0x1010,
            location: "usb:1-2".into(),
        }
    }

    #[test]
    fn table_knows_the_three_ids() {
        assert_eq!(supported(0x05ba, 0x000a).map(|d| d.driver), Some("uru4000"));
        assert_eq!(supported(0x045e, 0x00ca).map(|d| d.driver), Some("uru4000"));
        assert_eq!(supported(0x298d, 0x1010).map(|d| d.driver), Some("nb1010"));
        assert_eq!(supported(0x045e, 0x00bd), None);
    }

    #[test]
    fn reader_found_again_when_it_comes_back() {
        let mut scans = 0;
        let mut slept = Duration::ZERO;
        let info = wait_for_with(
            || {
                scans += 1;
                Ok(if scans < 4 { vec![] } else { vec![nb1010_info()] })
            },
            |d| {
                slept += d;
                false
            },
            &CancelToken::new(),
            Some(Duration::from_secs(60)),
        )
        .unwrap();
        assert_eq!(info, nb1010_info());
        assert_eq!(scans, 4);
        assert_eq!(slept, REPLUG_POLL * 3);
    }

    #[test]
    fn hot_plug_arrival_enumerates_at_once() {
        let mut scans = 0;
        let mut waits = 0;
        let info = wait_for_with(
            || {
                scans += 1;
                Ok(if scans < 2 { vec![] } else { vec![nb1010_info()] })
            },
            |_| {
                waits += 1;
                waits == 2
            },
            &CancelToken::new(),
            None,
        )
        .unwrap();
        assert_eq!(info, nb1010_info());
        assert_eq!((scans, waits), (2, 2));
    }

    #[test]
    fn waiting_for_a_reader_times_out_and_cancels() {
        let err = wait_for_with(
            || Ok(vec![]),
            |_| false,
            &CancelToken::new(),
            Some(Duration::from_secs(2)),
        );
        assert!(matches!(err, Err(ReaderError::Timeout)));
        let cancel = CancelToken::new();
        let mut sleeps = 0;
        let err = wait_for_with(
            || Ok(vec![]),
            |_| {
                sleeps += 1;
                if sleeps == 3 {
                    cancel.cancel();
                }
                false
            },
            &cancel,
            None,
        );
        assert!(matches!(err, Err(ReaderError::Cancelled)));
        assert_eq!(sleeps, 3);
    }
}
