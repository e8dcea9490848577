//! biometrics: image -> template -> score. One module per pipeline stage.
