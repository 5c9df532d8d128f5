//! decode(encode(x)) == x over generated tasks of every `range_info` variant.

use std::collections::BTreeMap;

use proptest::collection::{btree_map, vec};
use proptest::option::of;
use proptest::prelude::*;
use proptest::sample::select;
use serde_json::value::RawValue;
use wshoto_model::range::{
    Chat, CrowdPack, CrowdPackRange, CustomerRange, GroupRange, Location, MomentRange,
    OpenCustomerRange, OpenGroupRange, RegionsKey, StaffRange, StaffTag, TagDetail, TagFilter,
    TagGroup, TenantId, decode_range,
};
use wshoto_model::time::TimeRange;
use wshoto_model::{
    ActChildType, ChatStatus, CompactString, CrowdPackDeleted, FilterRangeInfo, FilterType,
    JsonPathError, MassTaskDetail, MaterialInfo, MaterialStatus, RangeInfo, RawJson, RawRange, Sex,
    TagOperator, TagStatus, TagType, TaskStatus, TaskType, UnknownRange,
};

/// Builds a `#[non_exhaustive]` model struct: its `Default`, then the fields given (as a struct
/// literal would, which other crates may not write).
macro_rules! build {
    ($ty:ident { $($field:ident $(: $value:expr)?),* $(,)? }) => {{
        let mut built = $ty::default();
        $( built.$field = build!(@value $field $(: $value)?); )*
        built
    }};
    (@value $field:ident) => { $field };
    (@value $field:ident : $value:expr) => { $value };
}

fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[a-z0-9_]{0,6}",
        "[\u{4e00}-\u{4e20}]{1,4}"
    ]
}

/// Any JSON a loosely typed field may hold: text, integers, objects.
fn raw_json() -> impl Strategy<Value = RawJson> {
    prop_oneof![
        text().prop_map(|t| RawJson::text(&t)),
        any::<i64>().prop_map(RawJson::integer),
        Just(RawJson::from_json("{\"t\":[1,true,null]}").expect("json")),
    ]
}

/// A text field's value; long ones exercise the heap side of `CompactString`.
fn compact_text() -> impl Strategy<Value = CompactString> {
    text().prop_map(CompactString::from)
}

fn texts() -> impl Strategy<Value = Option<Vec<CompactString>>> {
    of(vec(compact_text(), 0..3))
}

macro_rules! int_enum_strategy {
    ($name:ident) => {
        prop_oneof![
            select($name::KNOWN.to_vec()),
            any::<i64>().prop_map($name::from_code)
        ]
    };
}

fn sex() -> impl Strategy<Value = Sex> {
    prop_oneof![
        select(Sex::KNOWN.to_vec()),
        text().prop_map(|s| Sex::from_code(&s))
    ]
}

fn chat_status() -> impl Strategy<Value = ChatStatus> {
    prop_oneof![
        select(ChatStatus::KNOWN.to_vec()),
        text().prop_map(|s| ChatStatus::from_text(&s)),
        any::<i64>().prop_map(ChatStatus::from_int),
    ]
}

fn assignments() -> impl Strategy<Value = Option<BTreeMap<CompactString, Vec<CompactString>>>> {
    of(btree_map(compact_text(), vec(compact_text(), 0..3), 0..3))
}

fn staff_range() -> impl Strategy<Value = StaffRange> {
    (
        texts(),
        of(vec(any::<i64>(), 0..3)),
        of(vec(
            (of(compact_text()), of(compact_text()))
                .prop_map(|(tag_id, tag_name)| build!(StaffTag { tag_id, tag_name })),
            0..2,
        )),
    )
        .prop_map(|(user_ids, dept_ids, user_tags)| {
            build!(StaffRange {
                user_ids,
                dept_ids,
                user_tags,
            })
        })
}

fn tag_detail() -> impl Strategy<Value = TagDetail> {
    (
        of(compact_text()),
        of(compact_text()),
        of(int_enum_strategy!(TagType)),
        of(any::<i64>()),
        of(raw_json()),
        of(int_enum_strategy!(TagStatus)),
        of(compact_text()),
    )
        .prop_map(
            |(tag_id, tag_name, tag_type, strategy_id, auth, status, desc)| {
                build!(TagDetail {
                    tag_id,
                    tag_name,
                    tag_type,
                    strategy_id,
                    auth,
                    status,
                    desc,
                })
            },
        )
}

fn tag_filter() -> impl Strategy<Value = TagFilter> {
    (
        of(int_enum_strategy!(TagOperator)),
        of(vec(tag_detail(), 0..2)),
    )
        .prop_map(|(operator, tag_detail_list)| {
            build!(TagFilter {
                operator,
                tag_detail_list,
            })
        })
}

fn tag_groups() -> impl Strategy<Value = Option<Vec<TagGroup>>> {
    of(vec(
        (
            of(compact_text()),
            of(compact_text()),
            of(vec(tag_detail(), 0..2)),
        )
            .prop_map(|(tag_group_id, tag_group_name, tag_detail_list)| {
                build!(TagGroup {
                    tag_group_id,
                    tag_group_name,
                    tag_detail_list,
                })
            }),
        0..2,
    ))
}

fn customer_range() -> impl Strategy<Value = CustomerRange> {
    (
        (
            of(staff_range()),
            of(
                (of(raw_json()), of(raw_json())).prop_map(|(start_time, end_time)| {
                    build!(TimeRange {
                        start_time,
                        end_time,
                    })
                }),
            ),
            of(tag_filter()),
            of(tag_filter()),
            of(vec(
                (of(compact_text()), of(compact_text())).prop_map(
                    |(region_code, region_remark)| {
                        build!(Location {
                            region_code,
                            region_remark,
                        })
                    },
                ),
                0..2,
            )),
            of(vec(
                (of(compact_text()), of(compact_text()), of(chat_status())).prop_map(
                    |(chat_id, chat_name, status)| {
                        build!(Chat {
                            chat_id,
                            chat_name,
                            status,
                        })
                    },
                ),
                0..3,
            )),
        ),
        (
            of(sex()),
            of(compact_text()),
            texts(),
            texts(),
            tag_groups(),
            assignments(),
        ),
        any::<bool>(),
    )
        .prop_map(
            |(
                (add_user_range, add_time_range, include_tags, exclude_tags, locations, chat_list),
                (
                    sex,
                    age_range,
                    remark_key_words,
                    description_key_words,
                    tag_groups,
                    user_customer_info,
                ),
                staff_name,
            )| {
                build!(CustomerRange {
                    // The name only shows when there are regions to name.
                    regions_key: if staff_name && locations.is_some() {
                        RegionsKey::Location
                    } else {
                        RegionsKey::Locations
                    },
                    add_user_range,
                    add_time_range,
                    include_tags,
                    exclude_tags,
                    locations,
                    chat_list,
                    sex,
                    age_range,
                    remark_key_words,
                    description_key_words,
                    tag_groups,
                    user_customer_info,
                })
            },
        )
}

fn group_range() -> impl Strategy<Value = GroupRange> {
    (
        of(staff_range()),
        texts(),
        of(tag_filter()),
        of(tag_filter()),
        assignments(),
    )
        .prop_map(
            |(group_owner_range, group_name_list, include_tags, exclude_tags, user_chat_info)| {
                build!(GroupRange {
                    group_owner_range,
                    group_name_list,
                    include_tags,
                    exclude_tags,
                    user_chat_info,
                })
            },
        )
}

fn moment_range() -> impl Strategy<Value = MomentRange> {
    (of(staff_range()), tag_groups(), of(tag_filter())).prop_map(
        |(add_user_range, tag_groups, exclude_tags)| {
            build!(MomentRange {
                add_user_range,
                tag_groups,
                exclude_tags,
            })
        },
    )
}

fn crowd_pack_range() -> impl Strategy<Value = CrowdPackRange> {
    let tenant = prop_oneof![
        compact_text().prop_map(TenantId::Text),
        any::<i64>().prop_map(|n| TenantId::Json(n.into())),
        // Any finite float: kept in a `Value`, it must read back as the same number.
        any::<f64>().prop_filter_map("finite", |f| {
            serde_json::Number::from_f64(f).map(|n| TenantId::Json(n.into()))
        }),
        text().prop_map(|s| TenantId::Json(serde_json::json!({ "id": s }))),
        any::<bool>().prop_map(|b| TenantId::Json(b.into())),
        text().prop_map(|s| TenantId::Json(serde_json::json!([s, 1, null]))),
    ];
    let pack = (
        of(any::<i64>()),
        of(compact_text()),
        of(int_enum_strategy!(CrowdPackDeleted)),
    )
        .prop_map(|(id, name, deleted)| build!(CrowdPack { id, name, deleted }));
    (of(tenant), of(vec(pack, 0..3))).prop_map(|(tenant_id, crowd_packs)| {
        build!(CrowdPackRange {
            tenant_id,
            crowd_packs,
        })
    })
}

/// Broken documents of documented types: decoded once, as the API would deliver them.
fn invalid_range() -> impl Strategy<Value = RangeInfo> {
    let broken = [
        ("CorpSend2Customer", r#"{"chat_list":[{"status":{"x":1}}]}"#),
        ("StaffSend2CustomerGroup", "{not json"),
        ("CrowdPack", r#"{"crowd_packs":[{"id":1.5}]}"#),
        ("AllCustomer", "[1]"),
        (
            "CorpSend2Moment",
            r#"{"add_user_range":{"dept_ids":["x"]}}"#,
        ),
    ];
    (select(broken.to_vec()), any::<bool>()).prop_map(|((filter_type, document), inline)| {
        let raw = match RawValue::from_string(document.to_owned()) {
            Ok(value) if inline => RawRange::Json(value),
            _ => RawRange::Text(document.to_owned()),
        };
        match decode_range(Some(filter_type.to_owned()), Some(raw)) {
            // decode() reports range errors from the envelope's root.
            RangeInfo::Invalid(mut invalid) => {
                invalid.error = JsonPathError::new(
                    format!("data.{}", invalid.error.path),
                    invalid.error.message.clone(),
                );
                RangeInfo::Invalid(invalid)
            }
            other => panic!("{filter_type} {document} should be invalid, got {other:?}"),
        }
    })
}

fn unknown_range() -> impl Strategy<Value = RangeInfo> {
    let filter_type = of(text().prop_filter("not a documented type", |t| {
        !FilterType::from_code(t).is_known()
    }));
    let raw = of(prop_oneof![
        text().prop_map(RawRange::Text),
        (any::<i64>(), text()).prop_map(|(n, s)| {
            let json = serde_json::json!({ "n": n, "s": s, "list": [n] }).to_string();
            RawRange::Json(RawValue::from_string(json).expect("valid json"))
        }),
    ]);
    (filter_type, raw).prop_map(|(filter_type, raw)| {
        RangeInfo::Unknown(build!(UnknownRange { filter_type, raw }))
    })
}

fn range_info() -> impl Strategy<Value = RangeInfo> {
    prop_oneof![
        Just(RangeInfo::AllCustomer),
        Just(RangeInfo::AllCustomerGroup),
        customer_range().prop_map(|range| RangeInfo::CorpSend2Customer(Box::new(range))),
        customer_range().prop_map(|range| RangeInfo::StaffSend2Customer(Box::new(range))),
        group_range().prop_map(|range| RangeInfo::CorpSend2CustomerGroup(Box::new(range))),
        group_range().prop_map(|range| RangeInfo::StaffSend2CustomerGroup(Box::new(range))),
        moment_range().prop_map(|range| RangeInfo::CorpSend2Moment(Box::new(range))),
        moment_range().prop_map(|range| RangeInfo::StaffSend2Moment(Box::new(range))),
        assignments().prop_map(|user_customer_info| RangeInfo::OpenSend2Customer(Box::new(
            build!(OpenCustomerRange { user_customer_info })
        ))),
        assignments().prop_map(|user_chat_info| RangeInfo::OpenSend2CustomerGroup(Box::new(
            build!(OpenGroupRange { user_chat_info })
        ))),
        crowd_pack_range().prop_map(|range| RangeInfo::CrowdPack(Box::new(range))),
        invalid_range(),
        unknown_range(),
    ]
}

fn material() -> impl Strategy<Value = MaterialInfo> {
    (
        of(any::<i64>()),
        of(any::<i64>()),
        of(compact_text()),
        of(compact_text()),
        of(compact_text()),
        of(int_enum_strategy!(ActChildType)),
        of(int_enum_strategy!(MaterialStatus)),
    )
        .prop_map(
            |(
                material_id,
                material_type,
                title,
                combination_id,
                package_config_id,
                act_child_type,
                status,
            )| {
                build!(MaterialInfo {
                    material_id,
                    material_type,
                    title,
                    combination_id,
                    package_config_id,
                    act_child_type,
                    status,
                })
            },
        )
}

fn counters() -> impl Strategy<Value = [Option<i64>; 13]> {
    proptest::array::uniform13(of(any::<i64>()))
}

fn task() -> impl Strategy<Value = MassTaskDetail> {
    let info = (
        of(any::<bool>()),
        of(any::<bool>()),
        of(any::<bool>()),
        range_info(),
    )
        .prop_map(
            |(is_all_customer, is_all_customer_group, all_staff, range)| {
                build!(FilterRangeInfo {
                    is_all_customer,
                    is_all_customer_group,
                    all_staff,
                    range,
                })
            },
        );
    (
        (
            any::<i64>(),
            of(compact_text()),
            of(int_enum_strategy!(TaskType)),
            of(int_enum_strategy!(TaskStatus)),
            of(compact_text()),
            [of(any::<i64>()), of(any::<i64>()), of(any::<i64>())],
            of(compact_text()),
        ),
        counters(),
        of(vec(material(), 0..3)),
        of(info),
    )
        .prop_map(
            |(
                (
                    task_id,
                    task_name,
                    task_type,
                    task_status,
                    create_user_id,
                    [send_time, end_time, create_time],
                    content,
                ),
                c,
                material_infos,
                filter_range_info,
            )| {
                build!(MassTaskDetail {
                    task_id,
                    task_name,
                    task_type,
                    task_status,
                    create_user_id,
                    send_time,
                    end_time,
                    create_time,
                    content,
                    plan_staff_qty: c[0],
                    no_send_staff_qty: c[1],
                    success_staff_qty: c[2],
                    fail_staff_qty: c[3],
                    plan_target_qty: c[4],
                    no_send_target_qty: c[5],
                    success_target_qty: c[6],
                    fail_target_qty: c[7],
                    excess_target_qty: c[8],
                    comment_staff_qty: c[9],
                    comment_customer_qty: c[10],
                    like_staff_qty: c[11],
                    like_customer_qty: c[12],
                    material_infos,
                    filter_range_info,
                })
            },
        )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn decode_of_encode_is_identity(task in task()) {
        prop_assert_eq!(wshoto_model::decode(&crate::support::envelope(&task)), Ok(task));
    }

    #[test]
    fn every_known_range_encodes_as_a_json_string(range in range_info()) {
        let info = build!(FilterRangeInfo { is_all_customer: None, is_all_customer_group: None, all_staff: None, range: range.clone() });
        let wire = serde_json::to_value(&info).expect("encode");
        let is_schema = !matches!(
            range,
            RangeInfo::Invalid(_) | RangeInfo::Unknown(_) | RangeInfo::AllCustomer | RangeInfo::AllCustomerGroup
        );
        if is_schema {
            prop_assert!(wire["range_info"].is_string(), "{}", wire);
        }
    }
}

/// Found by the `range_info` fuzz target: a float kept in a `Value` (`tenant_id`) must read back
/// from its own encoding as the same number (serde_json's default float reading is best-effort:
/// `44444e42` and its re-encoding `4.4444e46` gave numbers one unit in the last place apart).
#[test]
fn floats_kept_as_json_survive_decode_of_encode() {
    for number in [
        "44444e42",
        "4.4444e46",
        "0.1",
        "1.7976931348623157e308",
        "5e-324",
        "2.2250738585072014e-308",
        "123456789.123456789",
        "9007199254740993.0",
    ] {
        let response = format!(
            r#"{{"code":0,"data":{{"task_id":1,"filter_range_info":{{"filter_type":"CrowdPack","range_info":"{{\"tenant_id\":{number}}}"}}}}}}"#
        );
        let task = wshoto_model::decode(response.as_bytes()).expect("decodes");
        let again = wshoto_model::decode(&crate::support::envelope(&task));
        assert_eq!(again, Ok(task), "{number}");
    }
}
