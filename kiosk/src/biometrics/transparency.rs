//! Transparency: every stage can hand its result to a sink, keyed by a stable kebab-case name,
//! so a person can see where extraction goes wrong (`kiosk template extract --debug-dir`).

/// Receives intermediate results. The default methods ignore everything, so extraction pays
/// nothing when nobody listens.
pub trait Transparency {
    /// Whether the sink wants `key` (lets stages skip building costly pictures).
    fn accepts(&self, _key: &str) -> bool {
        false
    }
    /// One 8-bit grey picture of a stage.
    fn image(&mut self, _key: &str, _width: usize, _height: usize, _pixels: &[u8]) {}
}

/// A sink that takes nothing.
pub struct NoTransparency;

impl Transparency for NoTransparency {}

/// Logs a picture built lazily, only if the sink accepts the key.
pub(crate) fn log_image(
    sink: &mut dyn Transparency,
    key: &str,
    width: usize,
    height: usize,
    build: impl FnOnce() -> Vec<u8>,
) {
    if sink.accepts(key) {
        let pixels = build();
        sink.image(key, width, height, &pixels);
    }
}

/// Picture of a boolean map: true = black.
pub(crate) fn bool_picture(map: &[bool]) -> Vec<u8> {
    map.iter().map(|&b| if b { 0 } else { 255 }).collect()
}

/// Picture of a float map, stretched to the full grey range.
pub(crate) fn float_picture(map: &[f32]) -> Vec<u8> {
    let (mut lo, mut hi) = (f32::MAX, f32::MIN);
    for &v in map {
        lo = lo.min(v);
        hi = hi.max(v);
    }
    let span = (hi - lo).max(1e-6);
    map.iter().map(|&v| ((v - lo) / span * 255.0) as u8).collect()
}
