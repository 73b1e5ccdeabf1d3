#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error("placeholder")]
    Placeholder,
}
