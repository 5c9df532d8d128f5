//! Types and decoding for the Wshoto (微盛·企微管家) Open API endpoint
//! `POST /openapi/mass_send/corp/get_mass_task_detail`: the detail of a mass-send task (群发任务).
//!
//! Pure data: no I/O, no async runtime. Decode a response you already have:
//!
//! ```
//! let body = br#"{"code":0,"msg":"ok","data":{"task_id":54,"type":10,
//!   "filter_range_info":{"filter_type":"OpenSend2Customer",
//!   "range_info":"{\"user_customer_info\":{\"u1\":[\"c1\"]}}"}}}"#;
//! let task = wshoto_model::decode(body)?;
//! assert_eq!(task.task_id, 54);
//! assert_eq!(task.sender(), Some(wshoto_model::Sender::Corp));
//! # Ok::<(), wshoto_model::DecodeError>(())
//! ```
//!
//! The model is tolerant (longs as numbers or strings, `location` for `locations`, chat status as
//! string or integer, `range_info` as a string, an inline object, empty or null) and lossless
//! (unknown enum values and unknown filter types are kept, and serializing gives the wire form).

mod decode;
mod display;
mod enums;
mod error;
mod fast_json;
mod fast_path;
mod fast_task;
mod labels;
mod lenient;
mod object_keys;
pub mod range;
mod raw_json;
mod scoped_flag;
mod surrogates;
mod task;
pub mod time;

/// The string type of every text field of the task and its ranges: a `String` that holds texts
/// of up to 24 bytes (most names, codes and short ids) in place, without an allocation. It
/// dereferences to `str`; `String::from` or `into_string` gives a `String`. Re-exported from
/// [`compact_str`](https://docs.rs/compact_str) so that you need not depend on it.
pub use compact_str::CompactString;
#[cfg(fuzzing)]
pub use decode::decode_without_fast_path;
pub use decode::{
    PageExtent, TaskPage, decode, decode_envelope, decode_page, decode_strict,
    decode_with_page_extent, page_extent, page_holds_more,
};
pub use display::{Shown, to_display_json};
pub use enums::{
    ActChildType, Audience, ChatStatus, CrowdPackDeleted, FilterType, MaterialStatus, Sender, Sex,
    TagOperator, TagStatus, TagType, TaskStatus, TaskType,
};
pub use error::{DecodeError, JsonPathError};
pub use labels::{Labelled, Lang, UnknownCode, UnknownText};
pub use range::{FilterRangeInfo, InvalidRange, RangeInfo, RawRange, UnknownRange};
pub use raw_json::RawJson;
pub use task::{MassTaskDetail, MaterialInfo, Progress};

/// The crate README's Rust blocks, compiled as doctests so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
