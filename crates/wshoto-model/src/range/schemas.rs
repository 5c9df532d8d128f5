//! The `range_info` documents, one struct per schema, and the pieces they share.
//!
//! Schemas that differ only in who sends (company or staff) share one struct: the staff and
//! company customer filters, for instance, both read as [`CustomerRange`], which holds the union
//! of their documented fields.

use std::collections::BTreeMap;

use compact_str::CompactString;
use serde::de::{self, Visitor};
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::enums::{ChatStatus, CrowdPackDeleted, Sex, TagOperator, TagStatus, TagType};
use crate::lenient;
use crate::raw_json::RawJson;
use crate::time::TimeRange;

/// Map from a staff id (员工ID) to the customer or group ids assigned to that staff member.
pub type StaffAssignments = BTreeMap<CompactString, Vec<CompactString>>;

/// A set of staff: `add_user_range` (添加人范围) or `group_owner_range` (群主范围).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StaffRange {
    /// Staff ids (员工ID集合).
    #[serde(default, deserialize_with = "lenient::opt_id_list")]
    pub user_ids: Option<Vec<CompactString>>,
    /// Department ids (部门ID集合), `long` on the wire.
    #[serde(default, deserialize_with = "lenient::opt_int_list")]
    pub dept_ids: Option<Vec<i64>>,
    /// Staff tags (员工标签集合). Documented as an object, sent as an array; both are read.
    #[serde(default, deserialize_with = "lenient::opt_one_or_many")]
    pub user_tags: Option<Vec<StaffTag>>,
}

/// A staff tag (员工标签).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct StaffTag {
    /// Tag id (员工标签id).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub tag_id: Option<CompactString>,
    /// Tag name (员工标签名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub tag_name: Option<CompactString>,
}

/// A set of customer tags with the rule that combines them (`include_tags` / `exclude_tags`).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagFilter {
    /// How the tags combine (运算规则).
    pub operator: Option<TagOperator>,
    /// The tags (标签信息集合).
    pub tag_detail_list: Option<Vec<TagDetail>>,
}

/// A customer tag (标签信息).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagDetail {
    /// Tag id (标签id).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub tag_id: Option<CompactString>,
    /// Tag name (标签名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub tag_name: Option<CompactString>,
    /// Tag kind (标签的类型), customer tags only.
    pub tag_type: Option<TagType>,
    /// Business-tag rule group (业务标签规则组), `long` on the wire.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub strategy_id: Option<i64>,
    /// `auth`: present in every example (as `1`), documented nowhere; any JSON value is kept
    /// exactly as received ([`RawJson::as_i64`] reads an integer).
    pub auth: Option<RawJson>,
    /// Tag state (标签状态).
    pub status: Option<TagStatus>,
    /// Why the tag is not normal (标签异常状态说明).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub desc: Option<CompactString>,
}

/// A tag group (标签组).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct TagGroup {
    /// Group id (标签组id).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub tag_group_id: Option<CompactString>,
    /// Group name (标签组名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub tag_group_name: Option<CompactString>,
    /// Tags in the group (标签信息数组).
    pub tag_detail_list: Option<Vec<TagDetail>>,
}

/// A region (所在地区).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Location {
    /// Region code (地区编码).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub region_code: Option<CompactString>,
    /// Province, city and district, comma-separated: `湖北省,武汉市,江夏区` (省市区).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub region_remark: Option<CompactString>,
}

/// A group chat the customers are in (所在群聊).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Chat {
    /// Chat id (群聊id).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub chat_id: Option<CompactString>,
    /// Chat name (群聊名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub chat_name: Option<CompactString>,
    /// Chat state (群聊状态): a code string; integers on the wire are zero-padded.
    pub status: Option<ChatStatus>,
}

/// The name a customer range's regions came under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum RegionsKey {
    /// `locations`, as most schemas name it.
    #[default]
    Locations,
    /// `location`, as `StaffSend2Customer` names it.
    Location,
}

/// Declares [`CustomerRange`] and its wire form from one field list. The wire form also has
/// `location`, the name `StaffSend2Customer` uses for `locations`, so that a payload carrying both
/// names (one of them `null`, as Java serializers write) is not a duplicate-field error. Written
/// back to the wire, the regions take the name they came under ([`CustomerRange::regions_key`]);
/// shown (`wshoto decode`, exports), they are always `locations`.
macro_rules! customer_range {
    ( $( $(#[$meta:meta])* pub $field:ident : $ty:ty, )* ) => {
        /// `CorpSend2Customer` and `StaffSend2Customer`: which customers receive the task.
        #[derive(Clone, PartialEq, Eq, Default, Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        #[serde(from = "CustomerRangeWire")]
        #[non_exhaustive]
        pub struct CustomerRange {
            $( $(#[$meta])* pub $field: $ty, )*
            /// The name `locations` came under, so that the wire form is written back as
            /// received. Not part of the shown JSON.
            #[cfg_attr(feature = "schemars", schemars(skip))]
            pub regions_key: RegionsKey,
        }

        impl CustomerRange {
            /// Serializes the set fields; `wire` names the regions as received.
            pub(crate) fn serialize_named<S: serde::Serializer>(
                &self,
                s: S,
                wire: bool,
            ) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = s.serialize_map(None)?;
                $(
                    if let Some(value) = &self.$field {
                        let name = match stringify!($field) {
                            "locations" if wire && self.regions_key == RegionsKey::Location => {
                                "location"
                            }
                            name => name,
                        };
                        map.serialize_entry(name, value)?;
                    }
                )*
                map.end()
            }
        }

        impl Serialize for CustomerRange {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                self.serialize_named(s, false)
            }
        }

        /// The fields; `regions_key` only when it is not the default.
        impl std::fmt::Debug for CustomerRange {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                let mut out = f.debug_struct("CustomerRange");
                $( out.field(stringify!($field), &self.$field); )*
                if self.regions_key != RegionsKey::Locations {
                    out.field("regions_key", &self.regions_key);
                }
                out.finish()
            }
        }

        /// `CustomerRange` as it travels: both region field names.
        #[derive(Deserialize)]
        #[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
        #[serde(expecting = "a customer range object")]
        struct CustomerRangeWire {
            $( $(#[$meta])* $field: $ty, )*
            /// `StaffSend2Customer`'s name for `locations`.
            location: Option<Vec<Location>>,
        }

        impl From<CustomerRangeWire> for CustomerRange {
            fn from(wire: CustomerRangeWire) -> Self {
                let mut range = Self {
                    $( $field: wire.$field, )*
                    regions_key: RegionsKey::Locations,
                };
                // `locations` wins when both are sent, unless it is empty and `location` is not.
                if range.locations.as_ref().is_none_or(Vec::is_empty) && wire.location.is_some() {
                    range.locations = wire.location;
                    range.regions_key = RegionsKey::Location;
                }
                range
            }
        }
    };
}

customer_range! {
    /// Staff whose customers are targeted (添加人范围).
    pub add_user_range: Option<StaffRange>,
    /// When the customers were added (添加时间范围).
    pub add_time_range: Option<TimeRange>,
    /// Tags the customers must have (客户包含标签).
    pub include_tags: Option<TagFilter>,
    /// Tags that exclude a customer (客户剔除标签).
    pub exclude_tags: Option<TagFilter>,
    /// Regions (所在地区). `StaffSend2Customer` sends it as `location`; both names are read.
    pub locations: Option<Vec<Location>>,
    /// Group chats the customers are in (所在群聊).
    pub chat_list: Option<Vec<Chat>>,
    /// Sex (性别).
    pub sex: Option<Sex>,
    /// Age range, `25~30` (年龄范围); see [`CustomerRange::age_bounds`].
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub age_range: Option<CompactString>,
    /// Keywords in the customer's remark name (备注名关键词).
    pub remark_key_words: Option<Vec<CompactString>>,
    /// Keywords in the customer's description (描述关键词).
    pub description_key_words: Option<Vec<CompactString>>,
    /// Tag groups (标签组).
    pub tag_groups: Option<Vec<TagGroup>>,
    /// Staff to customer ids (员工客户映射关系), `StaffSend2Customer` only.
    #[serde(default, deserialize_with = "lenient::opt_id_map")]
    pub user_customer_info: Option<StaffAssignments>,
}

impl CustomerRange {
    /// The age range as `(from, to)` years when it reads `from~to`.
    pub fn age_bounds(&self) -> Option<(u32, u32)> {
        let (from, to) = self.age_range.as_deref()?.split_once('~')?;
        Some((from.trim().parse().ok()?, to.trim().parse().ok()?))
    }
}

/// `CorpSend2CustomerGroup` and `StaffSend2CustomerGroup`: which customer groups receive the task.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct GroupRange {
    /// Group owners (群主范围).
    pub group_owner_range: Option<StaffRange>,
    /// Group names or name keywords (客户群名称集合).
    pub group_name_list: Option<Vec<CompactString>>,
    /// Tags to include (包括标签).
    pub include_tags: Option<TagFilter>,
    /// Tags to exclude (过滤标签).
    pub exclude_tags: Option<TagFilter>,
    /// Staff to group chat ids (员工与客户群关系对).
    #[serde(default, deserialize_with = "lenient::opt_id_map")]
    pub user_chat_info: Option<StaffAssignments>,
}

/// `CorpSend2Moment` and `StaffSend2Moment`: whose Moments the post reaches.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct MomentRange {
    /// Posting staff (添加人范围).
    pub add_user_range: Option<StaffRange>,
    /// Tag groups of the customers who see it (标签组).
    pub tag_groups: Option<Vec<TagGroup>>,
    /// Tags that exclude a customer (过滤标签), `StaffSend2Moment` only.
    pub exclude_tags: Option<TagFilter>,
}

/// `OpenSend2Customer`: named staff send to named customers.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OpenCustomerRange {
    /// Staff to customer ids (员工客户映射关系).
    #[serde(default, deserialize_with = "lenient::opt_id_map")]
    pub user_customer_info: Option<StaffAssignments>,
}

/// `OpenSend2CustomerGroup`: named staff send to named customer groups.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct OpenGroupRange {
    /// Staff to group chat ids (员工客户群映射关系).
    #[serde(default, deserialize_with = "lenient::opt_id_map")]
    pub user_chat_info: Option<StaffAssignments>,
}

/// `CrowdPack`: the task targets saved crowd packs (人群包).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CrowdPackRange {
    /// `tenant_id`: typed "object" and described as 添加人范围, sent as a string. A string reads
    /// as [`TenantId::Text`]; any other JSON value is kept as [`TenantId::Json`].
    pub tenant_id: Option<TenantId>,
    /// The packs (人群包集合).
    pub crowd_packs: Option<Vec<CrowdPack>>,
}

/// One crowd pack.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[non_exhaustive]
pub struct CrowdPack {
    /// Pack id (人群包ID), `long` on the wire and often beyond 2^32.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub id: Option<i64>,
    /// Pack name (人群包名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub name: Option<CompactString>,
    /// Whether the pack was deleted (人群包删除状态).
    pub deleted: Option<CrowdPackDeleted>,
}

/// The crowd-pack `tenant_id`, whose documented type contradicts its example.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TenantId {
    /// A string, as in the example.
    Text(CompactString),
    /// Any other JSON value, kept as received.
    Json(serde_json::Value),
}

#[cfg(feature = "schemars")]
impl schemars::JsonSchema for TenantId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TenantId".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "tenant_id: a string in the document's example; any JSON value is kept"
        })
    }
}

impl Serialize for TenantId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self {
            Self::Text(text) => s.serialize_str(text),
            Self::Json(value) => value.serialize(s),
        }
    }
}

impl<'de> Deserialize<'de> for TenantId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TenantIdVisitor)
    }
}

/// A string as [`TenantId::Text`] (made in place, as every text field is), anything else as
/// the `serde_json::Value` it is.
struct TenantIdVisitor;

impl<'de> Visitor<'de> for TenantIdVisitor {
    type Value = TenantId;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("any valid JSON value")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<TenantId, E> {
        Ok(TenantId::Text(CompactString::from(v)))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<TenantId, E> {
        Ok(TenantId::Text(CompactString::from(v)))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<TenantId, E> {
        Ok(TenantId::Json(v.into()))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<TenantId, E> {
        Ok(TenantId::Json(v.into()))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<TenantId, E> {
        Ok(TenantId::Json(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<TenantId, E> {
        serde_json::Value::deserialize(de::value::F64Deserializer::new(v)).map(TenantId::Json)
    }

    fn visit_unit<E: de::Error>(self) -> Result<TenantId, E> {
        Ok(TenantId::Json(serde_json::Value::Null))
    }

    fn visit_none<E: de::Error>(self) -> Result<TenantId, E> {
        self.visit_unit()
    }

    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<TenantId, D::Error> {
        d.deserialize_any(self)
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, seq: A) -> Result<TenantId, A::Error> {
        serde_json::Value::deserialize(de::value::SeqAccessDeserializer::new(seq))
            .map(TenantId::Json)
    }

    fn visit_map<A: de::MapAccess<'de>>(self, map: A) -> Result<TenantId, A::Error> {
        serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))
            .map(TenantId::Json)
    }
}

/// `AllCustomer` / `AllCustomerGroup`: no schema is documented, so only an empty range (`{}`,
/// empty, `null`, `[]`) is accepted. A range with fields does not fit and is kept as received
/// (`RangeInfo::Invalid`), so nothing it carries is lost.
#[derive(Debug, Clone, PartialEq, Eq, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct NoSchema {}
