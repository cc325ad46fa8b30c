//! Response bodies on their way back to the program: passed through as the
//! upstream sends them, each piece masked as it comes (bytes that may be the
//! start of a secret are held until the next piece says), so streamed
//! responses (server-sent events, chunked output) are never buffered whole.

use crate::exec::mask::{MaskedStream, Masker};
use http_body_util::combinators::BoxBody;
use http_body_util::{BodyExt, Full};
use hyper::body::{Body, Bytes, Frame, Incoming, SizeHint};
use hyper::header::HeaderValue;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll, ready};

pub(super) type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Any body the gateway sends back.
pub(super) type GatewayBody = BoxBody<Bytes, BoxError>;

/// A short text of the gateway's own.
pub(super) fn text(text: String) -> GatewayBody {
    Full::new(Bytes::from(text))
        .map_err(|never| match never {})
        .boxed()
}

/// The upstream's body as it is (nothing to mask).
pub(super) fn plain(incoming: Incoming) -> GatewayBody {
    incoming.map_err(BoxError::from).boxed()
}

/// The upstream's body with every secret masked.
pub(super) fn masked(incoming: Incoming, masker: Arc<Masker>) -> GatewayBody {
    MaskedBody {
        incoming,
        stream: MaskedStream::new(masker),
        ended: false,
    }
    .boxed()
}

/// A header value with every secret masked, or `None` when it holds none.
pub(super) fn mask_header(masker: &Arc<Masker>, value: &HeaderValue) -> Option<HeaderValue> {
    let mut stream = MaskedStream::new(Arc::clone(masker));
    let mut out = Vec::with_capacity(value.len());
    stream.push(value.as_bytes(), &mut out);
    stream.finish(&mut out);
    if out == value.as_bytes() {
        return None;
    }
    HeaderValue::from_bytes(&out).ok()
}

struct MaskedBody {
    incoming: Incoming,
    stream: MaskedStream,
    ended: bool,
}

impl Body for MaskedBody {
    type Data = Bytes;
    type Error = BoxError;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, BoxError>>> {
        let this = &mut *self;
        if this.ended {
            return Poll::Ready(None);
        }
        loop {
            let mut out = Vec::new();
            match ready!(Pin::new(&mut this.incoming).poll_frame(cx)) {
                Some(Ok(frame)) => {
                    // Trailers are not passed on (HTTP/1.1 clients rarely
                    // ask for them, and they could carry a value).
                    if let Ok(data) = frame.into_data() {
                        this.stream.push(&data, &mut out);
                        if !out.is_empty() {
                            return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
                        }
                    }
                    // All held (or trailers): the next frame decides.
                }
                Some(Err(error)) => {
                    this.ended = true;
                    return Poll::Ready(Some(Err(error.into())));
                }
                None => {
                    this.ended = true;
                    this.stream.finish(&mut out);
                    if out.is_empty() {
                        return Poll::Ready(None);
                    }
                    return Poll::Ready(Some(Ok(Frame::data(Bytes::from(out)))));
                }
            }
        }
    }

    fn is_end_stream(&self) -> bool {
        self.ended
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::default()
    }
}
