//! `filter_range_info`: the audience filter of a task, whose `range_info` is a JSON document
//! encoded in a string and shaped by `filter_type`.
//!
//! Decoding has two stages. The wire object is read first with `range_info` kept as raw JSON;
//! then [`decode_range`] picks the schema from `filter_type` and parses the document. A document
//! that does not fit its schema does not fail the task: it becomes [`RangeInfo::Invalid`], which
//! keeps the raw text and the error with its path. Serializing goes back through the wire form,
//! with the document encoded into a string again. On the fast path (`crate::fast_path`) the
//! first two steps are one: see `text_ranges`.

mod raw;
pub mod schemas;
pub(crate) mod text_ranges;

use serde::ser::SerializeMap;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

pub use raw::RawRange;
use schemas::NoSchema;
pub use schemas::{
    Chat, CrowdPack, CrowdPackRange, CustomerRange, GroupRange, Location, MomentRange,
    OpenCustomerRange, OpenGroupRange, RegionsKey, StaffAssignments, StaffRange, StaffTag,
    TagDetail, TagFilter, TagGroup, TenantId,
};

use crate::enums::FilterType;
use crate::error::JsonPathError;
use crate::lenient;

/// `filter_range_info` (筛选范围): who a task is sent to.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct FilterRangeInfo {
    /// `is_all_customer` (是否全部客户). A `null` reads as `None`.
    pub is_all_customer: Option<bool>,
    /// `is_all_customer_group` (是否全部客户群).
    pub is_all_customer_group: Option<bool>,
    /// `all_staff`: the sending staff are "all staff" (发送范围是否为"全部员工").
    pub all_staff: Option<bool>,
    /// `filter_type` together with the decoded `range_info`.
    pub range: RangeInfo,
}

impl FilterRangeInfo {
    /// The `filter_type`, or `None` when the API sent none.
    pub fn filter_type(&self) -> Option<FilterType> {
        self.range.filter_type()
    }
}

/// The decoded `range_info`, one variant per `filter_type`.
///
/// The schemas are boxed (a `CustomerRange` alone is about 400 bytes), so that a task stays
/// small — about 500 bytes rather than 800 — and cheap to move; fields read through the box as
/// they would without it (`range.locations`), and `*range` gives the schema itself.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RangeInfo {
    /// `AllCustomer` (全部客户): no schema; an empty, `null`, `[]` or `{}` range.
    AllCustomer,
    /// `AllCustomerGroup` (全部客户群): no schema; an empty, `null`, `[]` or `{}` range.
    AllCustomerGroup,
    /// `CorpSend2Customer` (企业群发客户).
    CorpSend2Customer(Box<CustomerRange>),
    /// `StaffSend2Customer` (个人群发客户).
    StaffSend2Customer(Box<CustomerRange>),
    /// `CorpSend2CustomerGroup` (企业群发客户群).
    CorpSend2CustomerGroup(Box<GroupRange>),
    /// `StaffSend2CustomerGroup` (个人群发客户群).
    StaffSend2CustomerGroup(Box<GroupRange>),
    /// `CorpSend2Moment` (企业发表朋友圈).
    CorpSend2Moment(Box<MomentRange>),
    /// `StaffSend2Moment` (个人发表朋友圈).
    StaffSend2Moment(Box<MomentRange>),
    /// `OpenSend2Customer` (企业群发指定员工发送给指定客户).
    OpenSend2Customer(Box<OpenCustomerRange>),
    /// `OpenSend2CustomerGroup` (企业群发指定员工发送给指定客户群).
    OpenSend2CustomerGroup(Box<OpenGroupRange>),
    /// `CrowdPack` (人群包).
    CrowdPack(Box<CrowdPackRange>),
    /// A documented `filter_type` whose range could not be decoded: the raw value and the error.
    Invalid(InvalidRange),
    /// A `filter_type` the document does not list (or none), with its range as received.
    Unknown(UnknownRange),
}

/// A range of a documented type that does not fit its schema.
///
/// Two invalid ranges are equal when they hold the same document for the same type: the error
/// follows from those two, and its path also says where the task sat (`data` or
/// `data.records[0]`), which is not part of the range. So a task decoded from a page and the same
/// task re-encoded and decoded again compare equal.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct InvalidRange {
    /// The documented `filter_type`.
    pub filter_type: FilterType,
    /// `range_info` exactly as received.
    pub raw: RawRange,
    /// What was wrong, and where: the path starts at the envelope's root
    /// (`data.filter_range_info.range_info…`) when the task came from [`crate::decode`], and at
    /// the task object when it was deserialized directly.
    pub error: JsonPathError,
}

/// A range with no filter type and no document: what an absent `filter_range_info.filter_type`
/// decodes to.
impl Default for RangeInfo {
    fn default() -> Self {
        Self::Unknown(UnknownRange::default())
    }
}

impl PartialEq for InvalidRange {
    fn eq(&self, other: &Self) -> bool {
        self.filter_type == other.filter_type && self.raw == other.raw
    }
}

impl Eq for InvalidRange {}

/// A range of a `filter_type` this version does not know.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct UnknownRange {
    /// The `filter_type` as received; `None` when absent or `null`.
    pub filter_type: Option<String>,
    /// `range_info` as received; `None` when absent or `null`.
    pub raw: Option<RawRange>,
}

impl RangeInfo {
    /// The `filter_type` this range was sent with.
    pub fn filter_type(&self) -> Option<FilterType> {
        Some(match self {
            Self::AllCustomer => FilterType::AllCustomer,
            Self::AllCustomerGroup => FilterType::AllCustomerGroup,
            Self::CorpSend2Customer(_) => FilterType::CorpSend2Customer,
            Self::StaffSend2Customer(_) => FilterType::StaffSend2Customer,
            Self::CorpSend2CustomerGroup(_) => FilterType::CorpSend2CustomerGroup,
            Self::StaffSend2CustomerGroup(_) => FilterType::StaffSend2CustomerGroup,
            Self::CorpSend2Moment(_) => FilterType::CorpSend2Moment,
            Self::StaffSend2Moment(_) => FilterType::StaffSend2Moment,
            Self::OpenSend2Customer(_) => FilterType::OpenSend2Customer,
            Self::OpenSend2CustomerGroup(_) => FilterType::OpenSend2CustomerGroup,
            Self::CrowdPack(_) => FilterType::CrowdPack,
            Self::Invalid(invalid) => invalid.filter_type.clone(),
            Self::Unknown(unknown) => FilterType::from_code(unknown.filter_type.as_deref()?),
        })
    }

    /// The decode error of an [`RangeInfo::Invalid`] range.
    pub fn error(&self) -> Option<&JsonPathError> {
        match self {
            Self::Invalid(invalid) => Some(&invalid.error),
            _ => None,
        }
    }

    /// The `filter_type` as it travels on the wire, unknown ones included.
    pub fn filter_type_text(&self) -> Option<String> {
        match self {
            Self::Unknown(unknown) => unknown.filter_type.clone(),
            other => other.filter_type().map(|t| t.code().to_owned()),
        }
    }

    /// The decoded document, for the variants that have one.
    fn schema(&self) -> Option<Schema<'_>> {
        Some(match self {
            Self::CorpSend2Customer(r) | Self::StaffSend2Customer(r) => Schema::Customer(r),
            Self::CorpSend2CustomerGroup(r) | Self::StaffSend2CustomerGroup(r) => Schema::Group(r),
            Self::CorpSend2Moment(r) | Self::StaffSend2Moment(r) => Schema::Moment(r),
            Self::OpenSend2Customer(r) => Schema::OpenCustomer(r),
            Self::OpenSend2CustomerGroup(r) => Schema::OpenGroup(r),
            Self::CrowdPack(r) => Schema::CrowdPack(r),
            Self::AllCustomer | Self::AllCustomerGroup | Self::Invalid(_) | Self::Unknown(_) => {
                return None;
            }
        })
    }

    /// The range as a JSON value for display and export: the decoded document as an object;
    /// `null` for `AllCustomer`/`AllCustomerGroup`; the value as received for an invalid range;
    /// for an unknown type, the received JSON (a string holding JSON is parsed).
    pub fn to_json_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match (self.schema(), self) {
            // The schema types hold only strings, integers, booleans and string-keyed maps, so
            // turning them into a `Value` cannot fail.
            (Some(schema), _) => serde_json::to_value(schema).unwrap_or(Value::Null),
            (None, Self::Invalid(invalid)) => invalid.raw.as_received(),
            (None, Self::Unknown(unknown)) => unknown
                .raw
                .as_ref()
                .map_or(Value::Null, RawRange::parsed_or_received),
            (None, _) => Value::Null,
        }
    }

    /// The range as [`Self::to_json_value`] gives it, serialized without building a value for
    /// a decoded document.
    pub(crate) fn shown(&self) -> ShownRange<'_> {
        match self.schema() {
            Some(schema) => ShownRange::Schema(schema),
            None => ShownRange::Value(self.to_json_value()),
        }
    }

    /// The `range_info` value to put on the wire; `None` leaves the field out.
    fn wire_value(&self) -> Result<Option<WireRange<'_>>, serde_json::Error> {
        Ok(match (self.schema(), self) {
            (Some(Schema::Customer(range)), _) => Some(WireRange::Encoded(serde_json::to_string(
                &WireCustomer(range),
            )?)),
            (Some(schema), _) => Some(WireRange::Encoded(serde_json::to_string(&schema)?)),
            (None, Self::Invalid(invalid)) => Some(WireRange::Raw(&invalid.raw)),
            (None, Self::Unknown(unknown)) => unknown.raw.as_ref().map(WireRange::Raw),
            (None, _) => Some(WireRange::Null),
        })
    }
}

/// A customer range as it goes on the wire: its regions under the name they came in.
struct WireCustomer<'a>(&'a CustomerRange);

impl Serialize for WireCustomer<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize_named(s, true)
    }
}

/// A borrowed range document of any schema.
pub(crate) enum Schema<'a> {
    Customer(&'a CustomerRange),
    Group(&'a GroupRange),
    Moment(&'a MomentRange),
    OpenCustomer(&'a OpenCustomerRange),
    OpenGroup(&'a OpenGroupRange),
    CrowdPack(&'a CrowdPackRange),
}

impl Serialize for Schema<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Customer(r) => r.serialize(s),
            Self::Group(r) => r.serialize(s),
            Self::Moment(r) => r.serialize(s),
            Self::OpenCustomer(r) => r.serialize(s),
            Self::OpenGroup(r) => r.serialize(s),
            Self::CrowdPack(r) => r.serialize(s),
        }
    }
}

/// A range in its shown form: see [`RangeInfo::shown`].
pub(crate) enum ShownRange<'a> {
    Schema(Schema<'a>),
    Value(serde_json::Value),
}

impl Serialize for ShownRange<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Schema(schema) => schema.serialize(s),
            Self::Value(value) => value.serialize(s),
        }
    }
}

/// What goes on the wire as `range_info`.
enum WireRange<'a> {
    Null,
    Encoded(String),
    Raw(&'a RawRange),
}

impl Serialize for WireRange<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Null => s.serialize_none(),
            Self::Encoded(text) => s.serialize_str(text),
            Self::Raw(raw) => raw.serialize(s),
        }
    }
}

impl Serialize for FilterRangeInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let filter_type = self.range.filter_type_text();
        let range_info = self.range.wire_value().map_err(serde::ser::Error::custom)?;
        let mut map = s.serialize_map(None)?;
        if let Some(filter_type) = &filter_type {
            map.serialize_entry("filter_type", filter_type)?;
        }
        if let Some(flag) = self.is_all_customer {
            map.serialize_entry("is_all_customer", &flag)?;
        }
        if let Some(flag) = self.is_all_customer_group {
            map.serialize_entry("is_all_customer_group", &flag)?;
        }
        if let Some(flag) = self.all_staff {
            map.serialize_entry("all_staff", &flag)?;
        }
        if let Some(range_info) = &range_info {
            map.serialize_entry("range_info", range_info)?;
        }
        map.end()
    }
}

/// The shown form (`wshoto decode`, exports): `range_info` is the decoded document, an object
/// of its filter type's schema (or, for an unknown type or a document that does not fit, the
/// value as received; `null` for AllCustomer/AllCustomerGroup).
#[cfg(feature = "schemars")]
impl schemars::JsonSchema for FilterRangeInfo {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "FilterRangeInfo".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let documents = [
            generator.subschema_for::<CustomerRange>(),
            generator.subschema_for::<GroupRange>(),
            generator.subschema_for::<MomentRange>(),
            generator.subschema_for::<OpenCustomerRange>(),
            generator.subschema_for::<OpenGroupRange>(),
            generator.subschema_for::<CrowdPackRange>(),
        ];
        let filter_type = generator.subschema_for::<crate::FilterType>();
        schemars::json_schema!({
            "type": "object",
            "description": "Who the task is sent to (筛选范围)",
            "properties": {
                "filter_type": filter_type,
                "is_all_customer": {"type": "boolean"},
                "is_all_customer_group": {"type": "boolean"},
                "all_staff": {"type": "boolean"},
                "range_info": {
                    "description": "The decoded range document: CustomerRange for CorpSend2Customer/StaffSend2Customer, GroupRange for *Send2CustomerGroup, MomentRange for *Send2Moment, OpenCustomerRange, OpenGroupRange, CrowdPackRange; null for AllCustomer/AllCustomerGroup; as received otherwise",
                    "anyOf": [
                        documents[0], documents[1], documents[2],
                        documents[3], documents[4], documents[5],
                        {"type": "null"},
                        {}
                    ]
                }
            }
        })
    }
}

/// `filter_range_info` as it travels, `range_info` not yet decoded.
#[derive(Deserialize)]
#[serde(expecting = "a filter_range_info object")]
struct WireFilterRangeInfo {
    #[serde(default)]
    filter_type: Option<String>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    is_all_customer: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    is_all_customer_group: Option<bool>,
    #[serde(default, deserialize_with = "lenient::opt_bool")]
    all_staff: Option<bool>,
    #[serde(default)]
    range_info: Option<Box<RawValue>>,
}

impl<'de> Deserialize<'de> for FilterRangeInfo {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        if text_ranges::enabled() {
            return d.deserialize_map(text_ranges::FilterRangeVisitor);
        }
        let wire = WireFilterRangeInfo::deserialize(d)?;
        let raw = wire
            .range_info
            .map(RawRange::from_raw_value)
            .transpose()
            .map_err(serde::de::Error::custom)?;
        Ok(Self {
            is_all_customer: wire.is_all_customer,
            is_all_customer_group: wire.is_all_customer_group,
            all_staff: wire.all_staff,
            range: decode_range(wire.filter_type, raw),
        })
    }
}

/// The JSON path of `range_info` inside a task object; decode errors inside the range document
/// are reported below it.
pub const RANGE_INFO_PATH: &str = "filter_range_info.range_info";

/// Decodes `range_info` by its `filter_type`. Never fails: an undecodable document of a known
/// type gives [`RangeInfo::Invalid`], an unknown type gives [`RangeInfo::Unknown`].
pub fn decode_range(filter_type: Option<String>, raw: Option<RawRange>) -> RangeInfo {
    let outcome = decode_document(
        filter_type.as_deref(),
        raw.as_ref().and_then(RawRange::document),
    );
    settle(outcome, filter_type, || raw)
}

/// [`decode_range`] of a `range_info` sent as a JSON string, given its content: the text is
/// copied only when the range keeps it (an invalid or unknown one).
pub(crate) fn decode_range_text(filter_type: Option<String>, text: &str) -> RangeInfo {
    let outcome = decode_document(filter_type.as_deref(), Some(text));
    settle(outcome, filter_type, || {
        Some(RawRange::Text(text.to_owned()))
    })
}

/// The range a decode outcome gives; `raw` is asked for only when the range keeps it.
fn settle(
    outcome: Result<RangeInfo, Option<(FilterType, JsonPathError)>>,
    filter_type: Option<String>,
    raw: impl FnOnce() -> Option<RawRange>,
) -> RangeInfo {
    match outcome {
        Ok(range) => range,
        Err(Some((known, error))) => RangeInfo::Invalid(InvalidRange {
            filter_type: known,
            // Only a present document can fail to decode; absent ones are the default schema.
            raw: raw().unwrap_or_else(|| RawRange::Text(String::new())),
            error,
        }),
        Err(None) => RangeInfo::Unknown(UnknownRange {
            filter_type,
            raw: raw(),
        }),
    }
}

/// Decodes a document by its filter type: `Err(Some(…))` when a documented type's document does
/// not fit, `Err(None)` when the type is unknown or absent.
fn decode_document(
    filter_type: Option<&str>,
    document: Option<&str>,
) -> Result<RangeInfo, Option<(FilterType, JsonPathError)>> {
    let known = FilterType::from_code(filter_type.ok_or(None)?);
    match decode_schema(&known, DocumentText(document)) {
        Some(decoded) => decoded.map_err(|error| Some((known, error))),
        None => Err(None),
    }
}

/// Where a range document is read from: its text, or a deserializer standing at it.
pub(crate) trait SchemaSource {
    type Error;
    /// Reads the document as the schema `T`.
    fn read<T: for<'de> Deserialize<'de> + Default>(self) -> Result<T, Self::Error>;
}

/// A document's text (`None`: absent), read by [`parse`].
struct DocumentText<'a>(Option<&'a str>);

impl SchemaSource for DocumentText<'_> {
    type Error = JsonPathError;
    fn read<T: for<'de> Deserialize<'de> + Default>(self) -> Result<T, JsonPathError> {
        parse(self.0)
    }
}

/// The range of a documented filter type, read from `source` by the type's schema; `None` for
/// an unknown type.
pub(crate) fn decode_schema<S: SchemaSource>(
    known: &FilterType,
    source: S,
) -> Option<Result<RangeInfo, S::Error>> {
    Some(match known {
        FilterType::AllCustomer => source.read::<NoSchema>().map(|_| RangeInfo::AllCustomer),
        FilterType::AllCustomerGroup => source
            .read::<NoSchema>()
            .map(|_| RangeInfo::AllCustomerGroup),
        FilterType::CorpSend2Customer => boxed(source, RangeInfo::CorpSend2Customer),
        FilterType::StaffSend2Customer => boxed(source, RangeInfo::StaffSend2Customer),
        FilterType::CorpSend2CustomerGroup => boxed(source, RangeInfo::CorpSend2CustomerGroup),
        FilterType::StaffSend2CustomerGroup => boxed(source, RangeInfo::StaffSend2CustomerGroup),
        FilterType::CorpSend2Moment => boxed(source, RangeInfo::CorpSend2Moment),
        FilterType::StaffSend2Moment => boxed(source, RangeInfo::StaffSend2Moment),
        FilterType::OpenSend2Customer => boxed(source, RangeInfo::OpenSend2Customer),
        FilterType::OpenSend2CustomerGroup => boxed(source, RangeInfo::OpenSend2CustomerGroup),
        FilterType::CrowdPack => boxed(source, RangeInfo::CrowdPack),
        FilterType::Unknown(_) => return None,
    })
}

/// A schema read from `source`, boxed into its variant.
fn boxed<T, S>(source: S, variant: fn(Box<T>) -> RangeInfo) -> Result<RangeInfo, S::Error>
where
    T: for<'any> Deserialize<'any> + Default,
    S: SchemaSource,
{
    source.read::<T>().map(|range| variant(Box::new(range)))
}

/// Parses a range document. An absent, blank, `null` or empty-array (`[]`) document is
/// the schema's default (no filter). A document encoded twice (a JSON string holding the JSON
/// text, as some gateways send) is unwrapped once.
fn parse<T>(document: Option<&str>) -> Result<T, JsonPathError>
where
    T: for<'de> Deserialize<'de> + Default,
{
    let Some(text) = document else {
        return Ok(T::default());
    };
    let trimmed = text.trim();
    if trimmed.starts_with('"') {
        if let Ok(inner) = serde_json::from_str::<String>(trimmed) {
            if inner.trim_start().starts_with('{') {
                return parse_object(&inner);
            }
        }
    }
    if is_empty_document(trimmed) {
        return Ok(T::default());
    }
    parse_object(text)
}

fn parse_object<T>(text: &str) -> Result<T, JsonPathError>
where
    T: for<'de> Deserialize<'de>,
{
    crate::error::expect_object(text, RANGE_INFO_PATH, "a JSON object document")?;
    let origin = crate::error::Origin::Embedded;
    crate::error::from_str_with_path(text, RANGE_INFO_PATH, origin).or_else(|error| {
        // Lone surrogate escapes inside the embedded document read as U+FFFD.
        match crate::surrogates::replace_lone_surrogates(text.as_bytes()) {
            Some(fixed) => {
                let fixed = String::from_utf8_lossy(&fixed);
                crate::error::from_str_with_path(&fixed, RANGE_INFO_PATH, origin)
            }
            None => Err(error),
        }
    })
}

/// Blank, `null`, or an empty array (`[]`, white space allowed inside).
fn is_empty_document(trimmed: &str) -> bool {
    trimmed.is_empty()
        || trimmed == "null"
        || trimmed
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
            .is_some_and(|inside| inside.trim().is_empty())
}
