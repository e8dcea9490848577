//! Every tuning constant of the pipeline and the matcher, at 500 dpi, in one place.
//! Values are chosen for all sensors together (optical, capacitive, thermal, synthetic), never for
//! one image.

/// Resolution every image is resampled to before extraction.
pub const TARGET_DPI: u32 = 500;
/// Smallest accepted image side after resampling (a fingerprint needs several ridges).
pub const MIN_IMAGE_SIDE: u32 = 64;
/// Largest accepted image side as decoded (protects memory; real readers deliver < 1000).
pub const MAX_IMAGE_SIDE: u32 = 4096;
/// Accepted scanning resolutions.
pub const MIN_DPI: u32 = 250;
/// Accepted scanning resolutions.
pub const MAX_DPI: u32 = 1500;

/// Side of the square blocks used for segmentation, orientation and quality.
pub const BLOCK_SIZE: usize = 8;
/// Fraction of darkest/brightest pixels ignored when measuring a segmentation window's contrast.
pub const CONTRAST_CLIP: f32 = 0.08;
/// Window (in blocks, radius) over which segmentation contrast is measured.
pub const CONTRAST_RADIUS_BLOCKS: usize = 1;
/// Absolute contrast (grey levels after clipping) below which a block is background.
pub const MIN_ABSOLUTE_CONTRAST: f32 = 17.0;
/// Contrast relative to the mean of the better half of blocks below which a block is background.
pub const MIN_RELATIVE_CONTRAST: f32 = 0.34;
/// Orientation coherence below which a block is background (no ridge flow).
pub const MIN_COHERENCE: f32 = 0.12;
/// Majority vote radius (blocks) that smooths the block mask.
pub const MASK_VOTE_RADIUS: usize = 2;
/// Passes of the mask majority vote.
pub const MASK_VOTE_PASSES: usize = 3;
/// Smallest foreground area (pixels at 500 dpi) that counts as a usable fingerprint.
pub const MIN_FOREGROUND_PIXELS: usize = 90 * 90;

/// Radius (pixels) of the local contrast normalisation window.
pub const NORMALISATION_RADIUS: usize = 12;

/// Radius (blocks) of the gradient window of the structure tensor.
pub const ORIENTATION_RADIUS_BLOCKS: usize = 1;
/// Passes of 3x3 smoothing of the doubled-angle vector field.
pub const ORIENTATION_SMOOTHING_PASSES: usize = 2;

/// Quantised orientations of the oriented smoothing filters.
pub const SMOOTHING_ORIENTATIONS: usize = 32;
/// Half length (pixels) of the line averaged along the ridge.
pub const ALONG_RIDGE_RADIUS: i32 = 7;
/// Half length (pixels) of the line averaged across the ridge (about one ridge period).
pub const ACROSS_RIDGE_RADIUS: i32 = 4;

/// Majority vote radius (pixels) cleaning the binarised image.
pub const BINARY_VOTE_RADIUS: usize = 2;
/// Fraction of the vote window that must disagree with a pixel before it flips.
pub const BINARY_VOTE_MAJORITY: f32 = 0.61;

/// Upper bound on thinning passes (ridges are < 15 px wide).
pub const THINNING_PASSES: usize = 26;

/// Pixels traced along a ridge to measure a minutia's direction.
pub const DIRECTION_TRACE: usize = 16;
/// Maximum pixels traced along one ridge when looking for its other end.
pub const MAX_TRACE: usize = 48;
/// A ridge shorter than this between two endings is a fragment (dot or short island).
pub const MIN_FRAGMENT_LENGTH: usize = 20;
/// An ending whose ridge meets a bifurcation within this length is a spur.
pub const MIN_TAIL_LENGTH: usize = 14;
/// Two bifurcations joined by a ridge at most this long are a bridge or pore.
pub const MAX_BRIDGE_LENGTH: usize = 12;
/// Two endings facing each other closer than this are a broken ridge.
pub const MAX_GAP_SIZE: f32 = 18.0;
/// Angle tolerance (radians) for gap facing.
pub const MAX_GAP_ANGLE: f32 = 0.8;
/// Minutiae closer than this to each other are both dropped (ambiguous structure).
pub const MIN_MINUTIA_DISTANCE: f32 = 5.0;
/// Erosion of the foreground mask (pixels) inside which minutiae are kept.
pub const INNER_MASK_BORDER: usize = 12;
/// Distance (pixels) behind a minutia that must also lie inside the inner mask.
pub const MASK_DISPLACEMENT: f32 = 8.0;
/// Radius of a minutia cloud.
pub const MINUTIA_CLOUD_RADIUS: f32 = 20.0;
/// More neighbours than this within the cloud radius mark a noisy region.
pub const MAX_CLOUD_SIZE: usize = 4;
/// At most this many minutiae are kept (best quality first).
pub const MAX_MINUTIAE: usize = 60;
/// Fewer minutiae than this is no usable fingerprint.
pub const MIN_MINUTIAE: usize = 6;

/// Neighbours per minutia in the edge table the matcher uses.
pub const EDGE_NEIGHBOURS: usize = 9;
/// Length tolerance (pixels) of two matching edges, plus a relative part.
pub const EDGE_LENGTH_TOLERANCE: f32 = 9.0;
/// Relative part of the edge length tolerance (skin distortion grows with distance).
pub const EDGE_LENGTH_TOLERANCE_RELATIVE: f32 = 0.08;
/// Angle tolerance of two matching edges (in 1/256 turns; 11 ~ 15.5 degrees).
pub const EDGE_ANGLE_TOLERANCE: i32 = 11;
/// Width of the length bins of the probe's edge hash (pixels).
pub const HASH_LENGTH_BIN: f32 = 16.0;
/// Width of the angle bins of the probe's edge hash (1/256 turns).
pub const HASH_ANGLE_BIN: i32 = 16;
/// Candidate root pairs tried by the matcher.
pub const MAX_ROOTS: usize = 10;
/// Roots need at least this many matching edges around them.
pub const MIN_ROOT_VOTES: u8 = 2;
