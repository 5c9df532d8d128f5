//! What each tolerance and accessor promises, checked on the fixtures.

use serde_json::Value;
use wshoto_model::range::{CustomerRange, TenantId};
use wshoto_model::{
    Audience, ChatStatus, DecodeError, FilterType, Labelled, Lang, MaterialStatus, RangeInfo,
    RawRange, Sender, Sex, TagOperator, TaskStatus, TaskType, decode, decode_strict,
};

use crate::support::{envelope, fixture, fixtures, task};

fn range(name: &str) -> RangeInfo {
    task(name)
        .filter_range_info
        .expect("filter_range_info")
        .range
}

fn customer_range(name: &str) -> CustomerRange {
    match range(name) {
        RangeInfo::CorpSend2Customer(r) | RangeInfo::StaffSend2Customer(r) => *r,
        other => panic!("{name}: not a customer range: {other:?}"),
    }
}

/// The wire JSON with `range_info` parsed, so that two forms compare by value.
fn wire_value(bytes: &[u8]) -> Value {
    let mut value: Value = serde_json::from_slice(bytes).expect("json");
    if let Some(info) = value.pointer_mut("/data/filter_range_info") {
        if let Some(Value::String(text)) = info.get("range_info").cloned() {
            info["range_info"] = serde_json::from_str(&text).unwrap_or(Value::String(text));
        }
    }
    value
}

#[test]
fn documented_examples_encode_back_to_the_same_wire_json() {
    for (name, bytes) in fixtures() {
        if !name.starts_with("doc_") || name == "doc_example_verbatim" {
            continue;
        }
        let task = decode(&bytes).unwrap_or_else(|e| panic!("{name}: {e}"));
        let mut encoded = serde_json::json!({"code": 0, "msg": "请求成功"});
        encoded["data"] = serde_json::to_value(&task).expect("encode");
        let original = wire_value(&bytes);
        let mut again = wire_value(&serde_json::to_vec(&encoded).expect("bytes"));
        // StaffSend2Customer's `location` is normalized to `locations`.
        if let Some(locations) = again
            .pointer_mut("/data/filter_range_info/range_info")
            .and_then(Value::as_object_mut)
            .filter(|_| name == "doc_staff_send2customer")
            .and_then(|r| r.remove("locations"))
        {
            again["data"]["filter_range_info"]["range_info"]["location"] = locations;
        }
        assert_eq!(again, original, "{name}");
    }
}

#[test]
fn every_decodable_fixture_round_trips_through_the_wire_form() {
    for (name, bytes) in fixtures() {
        let Ok(task) = decode(&bytes) else { continue };
        let again = decode(&envelope(&task));
        assert_eq!(again.as_ref(), Ok(&task), "{name}");
    }
}

#[test]
fn nine_documented_schemas_decode_to_their_variants() {
    let cases = [
        ("doc_corp_send2customer", FilterType::CorpSend2Customer),
        (
            "doc_corp_send2customer_group",
            FilterType::CorpSend2CustomerGroup,
        ),
        ("doc_corp_send2moment", FilterType::CorpSend2Moment),
        ("doc_open_send2customer", FilterType::OpenSend2Customer),
        (
            "doc_open_send2customer_group",
            FilterType::OpenSend2CustomerGroup,
        ),
        ("doc_staff_send2customer", FilterType::StaffSend2Customer),
        (
            "doc_staff_send2customer_group",
            FilterType::StaffSend2CustomerGroup,
        ),
        ("doc_staff_send2moment", FilterType::StaffSend2Moment),
        ("doc_crowd_pack", FilterType::CrowdPack),
    ];
    for (name, filter_type) in cases {
        let range = range(name);
        assert_eq!(range.filter_type(), Some(filter_type.clone()), "{name}");
        assert!(
            !matches!(range, RangeInfo::Invalid(_) | RangeInfo::Unknown(_)),
            "{name}: {range:?}"
        );
    }
}

#[test]
fn corp_send2customer_reads_every_documented_field() {
    let r = customer_range("doc_corp_send2customer");
    let staff = r.add_user_range.as_ref().expect("add_user_range");
    assert_eq!(
        staff.user_ids.as_deref(),
        Some(&["test_a29da7427c0b".into()][..])
    );
    assert_eq!(staff.dept_ids.as_deref(), Some(&[70][..]));
    assert_eq!(staff.user_tags.as_ref().map(Vec::len), Some(1));
    let include = r.include_tags.as_ref().expect("include_tags");
    assert_eq!(include.operator.map(TagOperator::code), Some(99));
    assert!(include.operator.is_some_and(|op| !op.is_known()));
    let tag = &include.tag_detail_list.as_ref().expect("tags")[0];
    assert_eq!(tag.strategy_id, Some(82));
    assert_eq!(
        tag.auth.as_ref().and_then(wshoto_model::RawJson::as_i64),
        Some(56)
    );
    assert_eq!(r.locations.as_ref().map(Vec::len), Some(1));
    assert_eq!(r.chat_list.as_ref().map(Vec::len), Some(1));
    assert_eq!(r.sex, Some(Sex::from_code("test_d56c33a50723")));
    assert!(r.sex.as_ref().is_some_and(|sex| !sex.is_known()));
    assert_eq!(r.tag_groups.as_ref().map(Vec::len), Some(1));
    assert!(r.remark_key_words.is_some() && r.description_key_words.is_some());
    assert!(r.add_time_range.is_some() && r.exclude_tags.is_some() && r.age_range.is_some());
}

#[test]
fn longs_are_exact_as_numbers_or_strings() {
    let t = task("string_longs");
    assert_eq!(t.task_id, i64::MAX);
    assert_eq!(t.send_time, Some(1_723_685_400));
    assert_eq!(t.create_time, Some(-1));
    assert_eq!(t.plan_staff_qty, Some(3));
    let material = &t.material_infos.as_ref().expect("materials")[0];
    assert_eq!(material.material_id, Some(9_007_199_254_740_993));
    assert_eq!(material.status, Some(MaterialStatus::Deleted));
    let r = customer_range("string_longs");
    let staff = r.add_user_range.expect("staff");
    assert_eq!(staff.dept_ids, Some(vec![70, 9_007_199_254_740_993]));
    let include = r.include_tags.expect("include");
    assert_eq!(include.operator, Some(TagOperator::All));
    assert_eq!(
        include.tag_detail_list.expect("tags")[0].strategy_id,
        Some(i64::MAX)
    );

    let RangeInfo::CrowdPack(packs) = range("crowd_pack_big_ids") else {
        panic!("crowd pack")
    };
    let ids: Vec<_> = packs
        .crowd_packs
        .expect("packs")
        .iter()
        .map(|p| p.id)
        .collect();
    assert_eq!(
        ids,
        [
            Some(54_579_846_213),
            Some(9_007_199_254_740_993),
            Some(9_223_372_036_854_775_806)
        ]
    );
    assert_eq!(packs.tenant_id, Some(TenantId::Text("wwcorp01".into())));
}

#[test]
fn chat_status_reads_strings_and_integers_as_codes() {
    let statuses: Vec<ChatStatus> = customer_range("chat_status_integer")
        .chat_list
        .expect("chats")
        .into_iter()
        .map(|c| c.status.expect("status"))
        .collect();
    assert_eq!(
        statuses,
        [
            ChatStatus::Normal,
            ChatStatus::WrongChatId,
            ChatStatus::Dissolved,
            ChatStatus::OwnerAccountNotActivated,
            ChatStatus::AccountInactiveOrExpired,
            ChatStatus::OwnerOutOfVisibleRange,
        ]
    );
    let shown = wshoto_model::to_display_json(&task("chat_status_integer")).expect("json");
    assert_eq!(
        shown["filter_range_info"]["range_info"]["chat_list"][1]["status"],
        "0100"
    );
    assert_eq!(
        shown["filter_range_info"]["range_info"]["chat_list"][0]["status"],
        "0"
    );
}

#[test]
fn location_is_read_as_locations() {
    let r = customer_range("location_singular");
    assert_eq!(
        r.locations.expect("locations")[0].region_code.as_deref(),
        Some("110101")
    );
    assert!(
        customer_range("doc_staff_send2customer")
            .locations
            .is_some()
    );
}

#[test]
fn inline_object_range_decodes_like_a_string() {
    let RangeInfo::CorpSend2CustomerGroup(group) = range("range_inline_object") else {
        panic!("group range")
    };
    assert_eq!(group.group_name_list, Some(vec!["VIP群".into()]));
    let chats = group.user_chat_info.expect("user_chat_info");
    assert_eq!(chats["zhangsan"], ["wr1", "wr2"]);
}

#[test]
fn empty_null_and_absent_ranges_mean_no_filter() {
    assert_eq!(
        range("range_empty_string"),
        RangeInfo::CorpSend2Customer(Default::default())
    );
    assert_eq!(
        range("range_null"),
        RangeInfo::CorpSend2Moment(Default::default())
    );
    assert_eq!(
        range("range_absent"),
        RangeInfo::StaffSend2Moment(Default::default())
    );
    assert_eq!(range("all_customer_empty"), RangeInfo::AllCustomer);
    assert_eq!(range("all_customer_null"), RangeInfo::AllCustomer);
    assert_eq!(
        range("all_customer_group_object"),
        RangeInfo::AllCustomerGroup
    );
    let shown = wshoto_model::to_display_json(&task("all_customer_empty")).expect("json");
    assert_eq!(shown["filter_range_info"]["range_info"], Value::Null);
}

#[test]
fn unknown_filter_type_keeps_its_raw_range_unchanged() {
    let RangeInfo::Unknown(unknown) = range("unknown_filter_type") else {
        panic!("unknown")
    };
    assert_eq!(unknown.filter_type.as_deref(), Some("VipSend2Everyone"));
    let original: Value = serde_json::from_slice(&fixture("unknown_filter_type")).expect("json");
    assert_eq!(
        unknown.raw,
        Some(RawRange::Text(
            original["data"]["filter_range_info"]["range_info"]
                .as_str()
                .expect("string")
                .to_owned()
        ))
    );
    let encoded = serde_json::to_value(task("unknown_filter_type")).expect("encode");
    assert_eq!(
        encoded["filter_range_info"],
        original["data"]["filter_range_info"]
    );
    // The display form parses the JSON string, keeping big integers exact.
    let shown = wshoto_model::to_display_json(&task("unknown_filter_type")).expect("json");
    assert_eq!(
        shown["filter_range_info"]["range_info"]["budget"],
        12_345_678_901_234_567_i64
    );

    let inline = serde_json::to_value(task("unknown_filter_type_inline")).expect("encode");
    let original: Value =
        serde_json::from_slice(&fixture("unknown_filter_type_inline")).expect("json");
    assert_eq!(
        inline["filter_range_info"],
        original["data"]["filter_range_info"]
    );
}

#[test]
fn unknown_enum_values_are_kept_and_serialize_unchanged() {
    let t = task("unknown_enum_values");
    assert_eq!(t.task_type, Some(TaskType::from_code(99)));
    assert_eq!(t.task_status, Some(TaskStatus::from_code(9)));
    assert!(t.task_type.is_some_and(|t| !t.is_known()));
    assert_eq!(t.sender(), None);
    let encoded = serde_json::to_value(&t).expect("encode");
    let original: Value = serde_json::from_slice(&fixture("unknown_enum_values")).expect("json");
    for field in ["type", "task_status", "material_infos"] {
        assert_eq!(encoded[field], original["data"][field], "{field}");
    }
    let r = customer_range("unknown_enum_values");
    assert_eq!(r.sex, Some(Sex::from_code("OTHER")));
    assert_eq!(
        r.chat_list.expect("chats")[0].status,
        Some(ChatStatus::from_code("0999"))
    );
    let RangeInfo::CrowdPack(packs) = range("crowd_pack_unknown_deleted") else {
        panic!("crowd pack")
    };
    assert_eq!(
        packs.tenant_id,
        Some(TenantId::Json(serde_json::json!({"corp": "ww1"})))
    );
}

#[test]
fn api_errors_win_over_any_data() {
    assert_eq!(
        decode(&fixture("error_api_token_invalid")),
        Err(DecodeError::Api {
            code: 10001,
            msg: "access_token无效".into(),
            raw_msg: "access_token无效".into()
        })
    );
    let odd = decode(&fixture("error_api_with_odd_data")).expect_err("api error");
    assert_eq!(odd.api_code(), Some(40013));
    assert_eq!(
        odd.to_string(),
        "API error 40013: invalid appid second line"
    );
}

#[test]
fn a_broken_range_keeps_the_task_and_strict_mode_fails() {
    let bytes = fixture("broken_range_chat_status");
    let t = decode(&bytes).expect("the task decodes");
    assert_eq!(t.task_id, 222);
    let RangeInfo::Invalid(invalid) = t.filter_range_info.expect("range").range else {
        panic!("invalid")
    };
    assert_eq!(invalid.filter_type, FilterType::CorpSend2Customer);
    assert_eq!(
        invalid.error.path,
        "data.filter_range_info.range_info.chat_list[0].status"
    );
    assert!(matches!(invalid.raw, RawRange::Text(_)));
    let strict = decode_strict(&bytes).expect_err("strict");
    assert_eq!(
        strict.path(),
        Some("data.filter_range_info.range_info.chat_list[0].status")
    );

    let dept = decode_strict(&fixture("broken_range_dept_id")).expect_err("strict");
    assert_eq!(
        dept.path(),
        Some("data.filter_range_info.range_info.group_owner_range.dept_ids[1]")
    );
    assert!(decode_strict(&fixture("broken_range_not_json")).is_err());

    // "No schema" means no fields: a range with some is kept as received, not dropped.
    let RangeInfo::Invalid(all) = range("broken_range_all_customer_with_fields") else {
        panic!("invalid")
    };
    assert_eq!(all.filter_type, FilterType::AllCustomer);
    assert!(all.raw.document().is_some_and(|d| d.contains("zhangsan")));
}

#[test]
fn wrong_types_name_their_json_path() {
    let cases = [
        ("error_wrong_type_task_id", "data.task_id"),
        ("error_wrong_type_materials", "data.material_infos"),
        ("error_counter_float", "data.plan_staff_qty"),
        ("error_number_beyond_i64", "data.task_id"),
        ("error_string_beyond_i64", "data.task_id"),
        ("error_page_empty", "data.records"),
        ("error_data_null", "data"),
        ("error_filter_range_info_string", "data.filter_range_info"),
        ("error_invalid_utf8", "data"),
    ];
    for (name, path) in cases {
        let error = decode(&fixture(name)).expect_err(name);
        assert_eq!(error.path(), Some(path), "{name}: {error}");
    }
    assert_eq!(decode(&fixture("error_empty")), Err(DecodeError::Empty));
    assert_eq!(
        decode(&fixture("error_whitespace")),
        Err(DecodeError::Empty)
    );
}

#[test]
fn nulls_and_absent_fields_are_none_not_errors() {
    let info = task("null_bools").filter_range_info.expect("info");
    assert_eq!((info.is_all_customer, info.all_staff), (None, None));
    let flags = task("flags_as_integers").filter_range_info.expect("info");
    assert_eq!(
        (
            flags.is_all_customer,
            flags.is_all_customer_group,
            flags.all_staff
        ),
        (Some(false), Some(true), Some(true))
    );
    let minimal = task("minimal_task");
    assert_eq!(minimal.task_id, 217);
    assert_eq!(minimal.plan_staff_qty, None);
    assert_eq!(minimal.filter_range_info, None);
    let absent = task("absent_counters");
    assert_eq!(absent.plan_staff_qty, None);
    assert_eq!(absent.comment_staff_qty, Some(4));
    assert_eq!(absent.material_infos, None);
    let encoded = serde_json::to_value(&absent).expect("encode");
    assert!(
        encoded.get("plan_staff_qty").is_none(),
        "absent stays absent"
    );
}

#[test]
fn unknown_fields_are_ignored() {
    let RangeInfo::OpenSend2Customer(open) = range("unknown_fields") else {
        panic!("open")
    };
    assert_eq!(open.user_customer_info.expect("map")["u1"], ["c1", "c2"]);
}

#[test]
fn user_tags_as_a_single_object_is_a_list_of_one() {
    let RangeInfo::CorpSend2Moment(moment) = range("user_tags_object") else {
        panic!("moment")
    };
    let tags = moment
        .add_user_range
        .expect("staff")
        .user_tags
        .expect("tags");
    assert_eq!(tags.len(), 1);
    assert_eq!(tags[0].tag_name.as_deref(), Some("店长"));
}

#[test]
fn the_page_form_yields_its_first_record() {
    assert_eq!(task("page_form").task_id, 221);
}

#[test]
fn accessors_give_times_sender_and_audience() {
    let t = task("task_54_corp_send2customer");
    assert_eq!(
        t.send_at().expect("send").to_rfc3339(),
        "2024-08-15T01:30:00+00:00"
    );
    assert_eq!(t.end_at().expect("end").timestamp(), 1_723_771_800);
    assert_eq!(t.created_at().expect("created").timestamp(), 1_723_680_000);
    assert_eq!(t.sender(), Some(Sender::Corp));
    assert_eq!(t.audience(), Some(Audience::Customers));
    assert_eq!(t.staff_progress().done, Some(2));
    assert_eq!(t.target_progress().planned, Some(120));
    let r = customer_range("task_54_corp_send2customer");
    let times = r.add_time_range.as_ref().expect("times");
    assert_eq!(
        times
            .start()
            .expect("parses")
            .expect("present")
            .to_rfc3339(),
        "2024-08-01T00:00:00+08:00"
    );
    assert_eq!(r.age_bounds(), Some((25, 35)));
    assert_eq!(TaskType::CorpToCustomers.describe(Lang::Zh), "企业群发客户");
    assert_eq!(TaskType::from_code(99).describe(Lang::En), "unknown (99)");
}

#[test]
fn fixtures_hold_no_credentials() {
    for (name, bytes) in fixtures() {
        let text = String::from_utf8_lossy(&bytes).to_lowercase();
        for secret_word in [
            "access_token=",
            "app_secret",
            "secret\":",
            "\"access_token\":",
        ] {
            assert!(!text.contains(secret_word), "{name} holds {secret_word}");
        }
    }
}

#[test]
fn any_endpoint_envelope_decodes_into_a_caller_type() {
    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Page {
        total: i64,
    }
    let page: Page =
        wshoto_model::decode_envelope(br#"{"code":0,"data":{"total":3}}"#).expect("page");
    assert_eq!(page, Page { total: 3 });
    let nothing: Option<Page> = wshoto_model::decode_envelope(br#"{"code":0}"#).expect("no data");
    assert_eq!(nothing, None);
    let api = wshoto_model::decode_envelope::<Page>(br#"{"code":10001,"msg":"bad"}"#);
    assert_eq!(api.expect_err("api").api_code(), Some(10001));
    let wrong = wshoto_model::decode_envelope::<Page>(br#"{"code":0,"data":{"total":"x"}}"#);
    assert_eq!(wrong.expect_err("wrong type").path(), Some("data.total"));
}

#[test]
fn gateway_quirks_are_tolerated() {
    assert_eq!(
        task("bom_prefixed").task_id,
        226,
        "a UTF-8 byte-order mark is skipped"
    );
    let RangeInfo::CorpSend2Moment(moment) = range("range_double_encoded") else {
        panic!("a range encoded twice is unwrapped once")
    };
    assert_eq!(
        moment.add_user_range.expect("staff").user_ids,
        Some(vec!["u9".into()])
    );
    assert_eq!(
        range("all_customer_empty_array"),
        RangeInfo::AllCustomer,
        "[] is empty"
    );
    let floats = task("counters_as_whole_floats");
    assert_eq!(
        (
            floats.plan_staff_qty,
            floats.success_staff_qty,
            floats.send_time
        ),
        (Some(3), Some(2), Some(1_723_685_400)),
        "whole numbers written as floats"
    );
    assert_eq!(
        decode(&fixture("error_api_msg_not_text")),
        Err(DecodeError::Api {
            code: 500,
            msg: r#"{"detail":"internal"}"#.into(),
            raw_msg: r#"{"detail":"internal"}"#.into()
        }),
        "a msg of another type never hides the code"
    );
}

#[test]
fn numeric_ids_are_read_as_their_decimal_text() {
    let t = task("ids_as_numbers");
    assert_eq!(t.create_user_id.as_deref(), Some("1001"));
    let material = &t.material_infos.as_ref().expect("materials")[0];
    assert_eq!(material.combination_id.as_deref(), Some("7"));
    assert_eq!(material.package_config_id.as_deref(), Some("8"));
    let r = customer_range("ids_as_numbers");
    let staff = r.add_user_range.expect("staff");
    assert_eq!(staff.user_ids, Some(vec!["1001".into(), "lisi".into()]));
    assert_eq!(
        staff.user_tags.expect("tags")[0].tag_id.as_deref(),
        Some("12")
    );
    assert_eq!(
        r.locations.expect("locations")[0].region_code.as_deref(),
        Some("420115")
    );
    assert_eq!(r.chat_list.expect("chats")[0].chat_id.as_deref(), Some("5"));
    let group = &r.tag_groups.expect("groups")[0];
    assert_eq!(group.tag_group_id.as_deref(), Some("77"));
    assert_eq!(
        group.tag_detail_list.as_ref().expect("tags")[0]
            .tag_id
            .as_deref(),
        Some("88")
    );
    assert_eq!(
        r.user_customer_info.expect("map")["1001"],
        ["9001", "wmABC"]
    );
}

#[test]
fn both_region_field_names_are_not_a_duplicate() {
    // Both names sent, one of them null (as Java serializers write): not a duplicate-field error.
    let both = customer_range("location_both_names");
    assert_eq!(
        both.locations.expect("locations")[0].region_code.as_deref(),
        Some("310101")
    );
    // An empty `locations` gives way to a non-empty `location`.
    let range = wshoto_model::range::decode_range(
        Some("StaffSend2Customer".into()),
        Some(RawRange::Text(
            r#"{"locations":[],"location":[{"region_code":"1"}]}"#.into(),
        )),
    );
    let RangeInfo::StaffSend2Customer(r) = range else {
        panic!("{range:?}")
    };
    assert_eq!(
        r.locations.expect("locations")[0].region_code.as_deref(),
        Some("1")
    );
}

#[test]
fn an_empty_string_for_an_optional_number_is_absent() {
    let t = task("numbers_as_empty_strings");
    assert_eq!(
        (t.send_time, t.end_time, t.create_time),
        (None, None, Some(1_723_680_000))
    );
    assert_eq!((t.plan_staff_qty, t.success_staff_qty), (None, Some(0)));
    assert_eq!(t.material_infos.expect("materials")[0].material_id, None);
    let RangeInfo::CorpSend2Moment(moment) = range("numbers_as_empty_strings") else {
        panic!("moment")
    };
    let tag = &moment.tag_groups.expect("groups")[0]
        .tag_detail_list
        .clone()
        .expect("tags")[0];
    assert_eq!(tag.strategy_id, None);
}

/// The `range_info` document that encoding `name`'s task writes, parsed.
fn re_encoded_range(name: &str) -> Value {
    let task = decode(&fixture(name)).expect("decodes");
    let wire = wire_value(&envelope(&task));
    wire["data"]["filter_range_info"]["range_info"].clone()
}

#[test]
fn a_time_typed_object_or_number_keeps_the_range_and_its_value() {
    let range = customer_range("staff_time_object");
    let times = range.add_time_range.as_ref().expect("time range");
    assert_eq!(
        times.start_time.as_ref().map(wshoto_model::RawJson::get),
        Some(r#"{"time":"2024-08-01 00:00:00"}"#)
    );
    assert_eq!(
        times
            .end_time
            .as_ref()
            .and_then(wshoto_model::RawJson::as_i64),
        Some(1_723_766_399)
    );
    assert!(times.start().is_err(), "not a date-time string");
    assert_eq!(
        range.sex,
        Some(Sex::Female),
        "the rest of the range decodes"
    );
    let wire = re_encoded_range("staff_time_object");
    assert_eq!(
        wire["add_time_range"]["start_time"]["time"],
        "2024-08-01 00:00:00"
    );
    assert_eq!(wire["add_time_range"]["end_time"], 1_723_766_399);
}

#[test]
fn sex_unknow_is_the_documented_unknown_and_written_back_so() {
    assert_eq!(customer_range("sex_unknow").sex, Some(Sex::NotKnown));
    assert_eq!(re_encoded_range("sex_unknow")["sex"], "UNKNOW");
}

#[test]
fn auth_keeps_any_json_value() {
    let range = customer_range("tag_auth_any_json");
    let tags = range
        .include_tags
        .expect("tags")
        .tag_detail_list
        .expect("list");
    let auths: Vec<&str> = tags
        .iter()
        .filter_map(|t| t.auth.as_ref().map(wshoto_model::RawJson::get))
        .collect();
    assert_eq!(auths, [r#""1""#, "true", r#"{"level":2}"#]);
    let wire = re_encoded_range("tag_auth_any_json");
    assert_eq!(wire["include_tags"]["tag_detail_list"][1]["auth"], true);
    assert_eq!(wire["include_tags"]["tag_detail_list"][0]["auth"], "1");
}

#[test]
fn re_encoding_gives_back_the_wire_names_and_types() {
    // StaffSend2Customer's `location` is written back as `location`.
    let staff = re_encoded_range("staff_time_object");
    assert!(
        staff.get("location").is_some() && staff.get("locations").is_none(),
        "{staff}"
    );
    // An unlisted integer chat status stays an integer; a listed one is its padded code.
    let chats = re_encoded_range("chat_status_unknown_int");
    assert_eq!(chats["chat_list"][0]["status"], 7);
    assert_eq!(chats["chat_list"][1]["status"], "0100");
    // What is shown (`wshoto decode`, exports) stays normalized: `locations`.
    let task = decode(&fixture("staff_time_object")).expect("decodes");
    let shown = wshoto_model::to_display_json(&task).expect("display");
    assert!(
        shown["filter_range_info"]["range_info"]
            .get("locations")
            .is_some()
    );
}

#[test]
fn a_page_keeps_its_total_and_every_record_within_reach() {
    let bytes = fixture("page_two_records");
    let first = decode(&bytes).expect("decode gives the first record");
    assert_eq!(first.task_id, 245);
    let page = wshoto_model::decode_page(&bytes).expect("the whole page");
    assert_eq!(page.total, Some(5));
    let ids: Vec<i64> = page.records.iter().map(|t| t.task_id).collect();
    assert_eq!(ids, [245, 246]);
    assert_eq!(wshoto_model::page_extent(&bytes), Some((2, Some(5))));
    assert!(wshoto_model::page_holds_more((2, Some(5))));
    assert!(wshoto_model::page_holds_more((2, None)));
    assert!(wshoto_model::page_holds_more((1, Some(5))));
    assert!(!wshoto_model::page_holds_more((1, Some(1))));
    assert!(!wshoto_model::page_holds_more((1, None)));
    // A plain task is a page of one, without a total.
    let plain = wshoto_model::decode_page(&fixture("task_54_corp_send2customer")).expect("plain");
    assert_eq!((plain.total, plain.records.len()), (None, 1));
    assert_eq!(
        wshoto_model::page_extent(&fixture("task_54_corp_send2customer")),
        None
    );
    // An error in a later record names it.
    let broken = br#"{"code":0,"data":{"total":2,"records":[{"task_id":1},{"task_id":"x"}]}}"#;
    let error = wshoto_model::decode_page(broken).expect_err("second record");
    assert!(
        error.to_string().starts_with("data.records[1].task_id"),
        "{error}"
    );
}

#[test]
fn an_api_error_keeps_the_raw_msg_beside_the_one_line_one() {
    let body = br#"{"code":40001,"msg":"  bad\n\tcredentials  ","data":null}"#;
    let Err(DecodeError::Api { code, msg, raw_msg }) = decode(body) else {
        panic!("an API error")
    };
    assert_eq!((code, msg.as_str()), (40001, "bad  credentials"));
    assert_eq!(raw_msg, "  bad\n\tcredentials  ");
}

/// Found by the `decode` fuzz target: a value kept as received (`RawJson`) that a
/// `serde_json::Value` cannot hold — a number beyond the range of an f64, a lone surrogate
/// escape — is shown (by
/// `to_display_json`, `wshoto task get --json`, and `Shown`: `wshoto decode`, exports) as a
/// string of its exact text, and is written back to the wire unchanged.
#[test]
fn raw_numbers_beyond_f64_are_shown_as_their_text() {
    let task = task("raw_number_beyond_f64");
    let shown = wshoto_model::to_display_json(&task).expect("renders");
    let range = &shown["filter_range_info"]["range_info"];
    assert_eq!(range["include_tags"]["tag_detail_list"][0]["auth"], "1E999");
    assert_eq!(range["include_tags"]["tag_detail_list"][1]["auth"], 1);
    // A lone surrogate escape in a kept string: its JSON text, quotes included.
    assert_eq!(
        range["include_tags"]["tag_detail_list"][2]["auth"],
        r#""\ud800""#
    );
    assert_eq!(range["add_time_range"]["end_time"], "-1e400");
    let streamed = serde_json::to_string(&wshoto_model::Shown(&task)).expect("streams");
    assert_eq!(serde_json::from_str::<Value>(&streamed).ok(), Some(shown));
    let wire = String::from_utf8(envelope(&task)).expect("text");
    assert!(wire.contains(r#"\"auth\":1E999"#), "{wire}");
    assert_eq!(wshoto_model::decode(wire.as_bytes()), Ok(task));
}

/// A task is moved at every step of decoding and held by the thousand in exports: the range
/// schemas (a `CustomerRange` alone is about 400 bytes) are boxed so that it stays small.
#[test]
#[cfg(target_pointer_width = "64")]
fn a_task_stays_small() {
    let size = std::mem::size_of::<wshoto_model::MassTaskDetail>();
    assert!(size <= 512, "MassTaskDetail is {size} bytes");
    assert!(std::mem::size_of::<wshoto_model::RangeInfo>() <= 128);
}

/// Texts of up to 24 bytes (most names, codes and short ids) are held in place, without an
/// allocation, however they were written (escaped, or an id sent as a number) and on either
/// reading of a document (a float anywhere sends it down the general one); longer texts are
/// allocated and kept whole.
#[test]
fn short_texts_are_held_without_an_allocation() {
    let long = "会员专享礼券已到账,点击领取。";
    let range = serde_json::to_string(
        r#"{"include_tags":{"tag_detail_list":[{"tag_id":"et\u0041","tag_name":"高意向"}]}}"#,
    )
    .expect("a string encodes");
    for extra in ["", r#","not_documented":1.5"#] {
        let body = format!(
            r#"{{"code":0,"msg":"ok","data":{{"task_id":1,"task_name":"群发\u4efb务",
            "create_user_id":9001,"content":"{long}"{extra},"filter_range_info":{{
            "filter_type":"CorpSend2Customer","range_info":{range}}}}}}}"#
        );
        let task = decode(body.as_bytes()).unwrap_or_else(|e| panic!("{extra}: {e}"));
        let name = task.task_name.as_ref().expect("task_name");
        assert_eq!(name, "群发任务");
        assert!(!name.is_heap_allocated(), "{extra}: task_name allocated");
        // What the re-export's documentation promises: it reads as a `str`, and gives a
        // `String` where one is needed.
        assert_eq!(task.task_name.as_deref(), Some("群发任务"));
        assert_eq!(String::from(name.clone()), "群发任务");
        assert_eq!(name.clone().into_string(), "群发任务");
        let creator = task.create_user_id.as_ref().expect("create_user_id");
        assert_eq!(creator, "9001");
        assert!(
            !creator.is_heap_allocated(),
            "{extra}: numeric id allocated"
        );
        let content = task.content.as_ref().expect("content");
        assert_eq!(content, long);
        assert!(
            content.is_heap_allocated(),
            "{extra}: {} bytes held in place",
            long.len()
        );
        let tags = match task.filter_range_info.expect("range").range {
            RangeInfo::CorpSend2Customer(r) => r.include_tags.and_then(|t| t.tag_detail_list),
            other => panic!("{extra}: {other:?}"),
        };
        let tag = &tags.expect("tags")[0];
        for (field, text, want) in [
            ("tag_id", &tag.tag_id, "etA"),
            ("tag_name", &tag.tag_name, "高意向"),
        ] {
            let text = text.as_ref().expect(field);
            assert_eq!(text, want);
            assert!(!text.is_heap_allocated(), "{extra}: {field} allocated");
        }
    }
}
