//! What the multipart forms (the filing form, notices and materials, imports) share.

use poem::web::Multipart;
use tokio::io::AsyncReadExt;

/// Reads and discards what is left of a post that is refused halfway (e.g. a full disk), up to
/// `storage::DRAIN_BYTES`, so the browser, still sending, receives the error page instead of a reset
/// connection.
pub async fn drain_rest(multipart: &mut Multipart) {
    let mut left = crate::service::storage::DRAIN_BYTES;
    while left > 0 {
        let Ok(Some(field)) = multipart.next_field().await else { break };
        let mut reader = field.into_async_read().take(left);
        let copied = tokio::io::copy(&mut reader, &mut tokio::io::sink()).await.unwrap_or(0);
        left = left.saturating_sub(copied.max(1));
    }
}
