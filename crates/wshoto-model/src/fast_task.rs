//! The task object on the fast path, each field read straight into the task that keeps it.
//!
//! The same keys, read by the same functions, as `MassTaskDetail`'s derived `Deserialize`; it
//! differs only where the fast path may decline: a key given twice or no `task_id` (the derive's
//! errors) gives up, and the general path then reports them. What it saves is the derive's
//! bookkeeping: a local for each field, the task assembled from them at the end and returned
//! through each layer (about 500 bytes copied twice). A test holds the keys to the derive's.

use compact_str::CompactString;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess};

use crate::lenient;
use crate::object_keys::{Predicted, object_keys};
use crate::task::MassTaskDetail;

object_keys! {
    /// A task object's keys, as serde names its fields (`type` for `task_type`), in the order the
    /// API sends them (the document's), and `records`.
    TaskKey {
        TaskId = "task_id",
        TaskName = "task_name",
        TaskStatus = "task_status",
        TaskType = "type",
        CreateUserId = "create_user_id",
        SendTime = "send_time",
        EndTime = "end_time",
        CreateTime = "create_time",
        Content = "content",
        PlanStaffQty = "plan_staff_qty",
        NoSendStaffQty = "no_send_staff_qty",
        SuccessStaffQty = "success_staff_qty",
        FailStaffQty = "fail_staff_qty",
        PlanTargetQty = "plan_target_qty",
        NoSendTargetQty = "no_send_target_qty",
        SuccessTargetQty = "success_target_qty",
        FailTargetQty = "fail_target_qty",
        ExcessTargetQty = "excess_target_qty",
        CommentStaffQty = "comment_staff_qty",
        CommentCustomerQty = "comment_customer_qty",
        LikeStaffQty = "like_staff_qty",
        LikeCustomerQty = "like_customer_qty",
        MaterialInfos = "material_infos",
        FilterRangeInfo = "filter_range_info",
        Records = "records",
    }
}

// `read_task` marks the keys seen in a `u32`, a bit a key.
const _: () = assert!(<TaskKey as crate::object_keys::ObjectKey>::ALL.len() < 32);

/// Reads a task object's entries into `task` (which starts as `MassTaskDetail::default()`). An
/// error means "take the general path". With `NO_PAGE`, a `records` key declines too: the
/// object may be a page, which the general path reads as such.
pub(crate) fn read_task<'de, A: MapAccess<'de>, const NO_PAGE: bool>(
    mut map: A,
    task: &mut MassTaskDetail,
) -> Result<(), A::Error> {
    let decline = || de::Error::custom("the general path decides");
    let mut seen: u32 = 0;
    let mut keys = Predicted::first();
    while let Some(key) = keys.next_key(&mut map)? {
        if key == TaskKey::Other || (key == TaskKey::Records && !NO_PAGE) {
            map.next_value::<IgnoredAny>()?;
            continue;
        }
        let bit = 1 << key as u32;
        if seen & bit != 0 {
            return Err(decline());
        }
        seen |= bit;
        match key {
            TaskKey::TaskId => task.task_id = map.next_value_seed(Int)?,
            TaskKey::TaskName => task.task_name = map.next_value_seed(OptStr)?,
            TaskKey::TaskType => task.task_type = map.next_value()?,
            TaskKey::TaskStatus => task.task_status = map.next_value()?,
            TaskKey::CreateUserId => task.create_user_id = map.next_value_seed(OptId)?,
            TaskKey::SendTime => task.send_time = map.next_value_seed(OptInt)?,
            TaskKey::EndTime => task.end_time = map.next_value_seed(OptInt)?,
            TaskKey::CreateTime => task.create_time = map.next_value_seed(OptInt)?,
            TaskKey::Content => task.content = map.next_value_seed(OptStr)?,
            TaskKey::PlanStaffQty => task.plan_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::NoSendStaffQty => task.no_send_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::SuccessStaffQty => task.success_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::FailStaffQty => task.fail_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::PlanTargetQty => task.plan_target_qty = map.next_value_seed(OptInt)?,
            TaskKey::NoSendTargetQty => task.no_send_target_qty = map.next_value_seed(OptInt)?,
            TaskKey::SuccessTargetQty => task.success_target_qty = map.next_value_seed(OptInt)?,
            TaskKey::FailTargetQty => task.fail_target_qty = map.next_value_seed(OptInt)?,
            TaskKey::ExcessTargetQty => task.excess_target_qty = map.next_value_seed(OptInt)?,
            TaskKey::CommentStaffQty => task.comment_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::CommentCustomerQty => {
                task.comment_customer_qty = map.next_value_seed(OptInt)?;
            }
            TaskKey::LikeStaffQty => task.like_staff_qty = map.next_value_seed(OptInt)?,
            TaskKey::LikeCustomerQty => task.like_customer_qty = map.next_value_seed(OptInt)?,
            TaskKey::MaterialInfos => task.material_infos = map.next_value()?,
            TaskKey::FilterRangeInfo => task.filter_range_info = map.next_value()?,
            // `records` in the page-aware form (any other `Other` or `records` was skipped above).
            TaskKey::Records | TaskKey::Other => return Err(decline()),
        }
    }
    if seen & 1 << TaskKey::TaskId as u32 == 0 {
        return Err(decline());
    }
    Ok(())
}

/// A seed for each `lenient` function the derive names in `deserialize_with`.
macro_rules! lenient_seeds {
    ($($seed:ident: $value:ty = $read:path;)*) => {$(
        /// Reads a value with
        #[doc = concat!("`", stringify!($read), "`.")]
        pub(crate) struct $seed;

        impl<'de> DeserializeSeed<'de> for $seed {
            type Value = $value;

            fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
                $read(d)
            }
        }
    )*};
}

lenient_seeds! {
    Int: i64 = lenient::int;
    OptInt: Option<i64> = lenient::opt_int;
    OptStr: Option<CompactString> = lenient::opt_str;
    OptId: Option<CompactString> = lenient::opt_id;
}

#[cfg(test)]
mod tests {
    use serde::de::{Deserialize, Visitor};

    use super::*;
    use crate::fast_json::tests::keys_taken_as_predicted;
    use crate::object_keys::ObjectKey;

    /// The field names `MassTaskDetail`'s derived `Deserialize` asks a deserializer for.
    fn derived_fields() -> &'static [&'static str] {
        struct Probe<'a>(&'a mut &'static [&'static str]);
        impl<'de> Deserializer<'de> for Probe<'_> {
            type Error = de::value::Error;
            fn deserialize_any<V: Visitor<'de>>(self, _: V) -> Result<V::Value, Self::Error> {
                Err(de::Error::custom("only a struct"))
            }
            fn deserialize_struct<V: Visitor<'de>>(
                self,
                _name: &'static str,
                fields: &'static [&'static str],
                _: V,
            ) -> Result<V::Value, Self::Error> {
                *self.0 = fields;
                Err(de::Error::custom("probed"))
            }
            serde::forward_to_deserialize_any! {
                bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes
                byte_buf option unit unit_struct newtype_struct seq tuple tuple_struct map enum
                identifier ignored_any
            }
        }
        let mut fields: &'static [&'static str] = &[];
        let probed = MassTaskDetail::deserialize(Probe(&mut fields));
        assert!(probed.is_err());
        fields
    }

    /// A field added to the task must be read here too: the keys are the derive's, no more.
    #[test]
    fn the_keys_are_the_derived_fields_and_records() {
        let mut derived = derived_fields().to_vec();
        derived.push("records");
        let mut keys = TaskKey::NAMES.to_vec();
        derived.sort_unstable();
        keys.sort_unstable();
        assert_eq!(keys, derived);
        for (key, name) in TaskKey::ALL.iter().zip(TaskKey::NAMES) {
            assert_eq!(TaskKey::from_key(name), *key);
        }
    }

    fn fixture() -> String {
        let path = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../fixtures/crowd_pack_big_ids.json"
        );
        std::fs::read_to_string(path).expect("fixture")
    }

    fn fast(text: &str) -> Option<MassTaskDetail> {
        crate::fast_path::decode::<false>(text.as_bytes())
    }

    /// The API's order is predicted key by key: the envelope's 3, the task's 24 and
    /// `filter_range_info`'s 5 are all taken without a scan.
    #[test]
    fn keys_in_the_api_order_are_taken_as_predicted() {
        let text = fixture();
        let mut task = None;
        let taken = keys_taken_as_predicted(|| task = fast(&text));
        assert_eq!(taken, 3 + 24 + 5);
        assert_eq!(
            task.map(Ok),
            Some(crate::decode::decode_general_tolerant(text.as_bytes()))
        );
    }

    /// Keys in another order, or that only start like the predicted one, or that are escaped,
    /// or unknown, read as the general path reads them.
    #[test]
    fn keys_out_of_the_predicted_order_or_spelling_read_as_the_general_path_reads_them() {
        let text = fixture();
        let value: serde_json::Value = serde_json::from_str(&text).expect("json");
        let data = value["data"].as_object().expect("an object");
        let mut reversed: Vec<_> = data.iter().collect();
        reversed.reverse();
        let reversed = format!(
            r#"{{"code":0,"data":{{{}}}}}"#,
            reversed
                .iter()
                .map(|(key, value)| format!("{}:{value}", serde_json::json!(key)))
                .collect::<Vec<_>>()
                .join(",")
        );
        let mut variants = vec![reversed];
        for (from, to) in [
            (r#""task_name":"#, r#""task_nam":"#),
            (r#""task_name":"#, r#""task_namex":"#),
            (r#""task_name":"#, r#""task_name ":"#),
            (r#""task_name":"#, r#""task\u005fname":"#),
            (r#""task_status":"#, r#""unknown":1,"task_status":"#),
            (r#""type":"#, r#""typ":"#),
            (r#""filter_type":"#, r#""filter_\u0074ype":"#),
            (r#""code":"#, r#""cod\u0065":"#),
            (r#""msg":"#, r#""other":[1,{"a":2}],"msg":"#),
        ] {
            assert!(text.contains(from), "{from}");
            variants.push(text.replacen(from, to, 1));
        }
        for variant in variants {
            let general = crate::decode::decode_general_tolerant(variant.as_bytes());
            let mut task = None;
            let taken = keys_taken_as_predicted(|| task = fast(&variant));
            let task = task.unwrap_or_else(|| panic!("taken by the fast path: {variant}"));
            assert_eq!(general, Ok(task), "{variant}");
            assert!(taken < 3 + 24 + 5, "{taken}: {variant}");
        }
    }

    /// What the derive refuses (a key twice, no `task_id`) is left to the general path.
    #[test]
    fn a_repeated_key_or_no_task_id_is_left_to_the_general_path() {
        let text = fixture();
        for (from, to) in [
            (r#""content":"#, r#""content":"x","content":"#),
            (r#""task_id": 202,"#, ""),
            (
                r#""filter_range_info":"#,
                r#""filter_range_info":null,"filter_range_info":"#,
            ),
        ] {
            assert!(text.contains(from), "{from}");
            let variant = text.replacen(from, to, 1);
            assert_eq!(fast(&variant), None, "{variant}");
            assert!(crate::decode::decode_general_tolerant(variant.as_bytes()).is_err());
        }
    }
}
