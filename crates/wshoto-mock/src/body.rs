//! Response bodies: whole, or cut short on purpose.

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use std::future::Future;

use hyper::body::{Body, Frame, SizeHint};

/// The mock's response body.
#[derive(Debug)]
pub(crate) enum MockBody {
    /// The whole body.
    Whole(Option<Bytes>),
    /// A prefix of the body, then an error that drops the connection.
    Truncated(Option<Bytes>),
    /// The whole body without announcing its length (chunked on HTTP/1.1).
    Unsized(Option<Bytes>),
    /// The whole body, after a pause (the head goes out at once).
    Delayed(Option<Bytes>, Pin<Box<tokio::time::Sleep>>),
}

/// The error that ends a truncated body.
#[derive(Debug, thiserror::Error)]
#[error("body truncated on purpose by the mock")]
pub(crate) struct Truncated;

impl MockBody {
    pub(crate) fn whole(bytes: impl Into<Bytes>) -> Self {
        Self::Whole(Some(bytes.into()))
    }
}

impl Body for MockBody {
    type Data = Bytes;
    type Error = Truncated;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Truncated>>> {
        let this = self.get_mut();
        if let Self::Delayed(chunk, sleep) = this {
            if sleep.as_mut().poll(cx).is_pending() {
                return Poll::Pending;
            }
            return Poll::Ready(chunk.take().map(|c| Ok(Frame::data(c))));
        }
        Poll::Ready(match this {
            Self::Whole(chunk) | Self::Unsized(chunk) => chunk.take().map(|c| Ok(Frame::data(c))),
            Self::Truncated(chunk) => match chunk.take() {
                Some(c) => Some(Ok(Frame::data(c))),
                None => Some(Err(Truncated)),
            },
            Self::Delayed(..) => None,
        })
    }

    fn is_end_stream(&self) -> bool {
        matches!(
            self,
            Self::Whole(None) | Self::Unsized(None) | Self::Delayed(None, _)
        )
    }

    fn size_hint(&self) -> SizeHint {
        match self {
            Self::Whole(Some(c)) => SizeHint::with_exact(c.len() as u64),
            Self::Whole(None) => SizeHint::with_exact(0),
            Self::Delayed(Some(c), _) => SizeHint::with_exact(c.len() as u64),
            Self::Delayed(None, _) => SizeHint::with_exact(0),
            Self::Truncated(_) | Self::Unsized(_) => SizeHint::default(),
        }
    }
}
