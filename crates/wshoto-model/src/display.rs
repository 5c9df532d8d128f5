//! The task as tools show it: the wire field names, with `range_info` decoded.

use serde::ser::{Serialize, SerializeMap, Serializer};

use crate::range::FilterRangeInfo;
use crate::task::{MassTaskDetail, MaterialInfo};

/// The task in the form a tool prints (`wshoto decode`, exports): the wire field names, with
/// `filter_range_info.range_info` as the decoded range object (see
/// [`crate::RangeInfo::to_json_value`]) instead of a string.
///
/// It serializes straight from the task, so a large task can be written to a file or a pipe
/// without building a [`serde_json::Value`] first; [`to_display_json`] is the same as a value.
/// A value kept as received ([`crate::RawJson`]) that a `Value` cannot hold — a number beyond the
/// range of an f64, such as `1E999` — is shown as a string of its exact text (tools reading JSON
/// numbers as f64 would make it infinite or fail); the wire form keeps it verbatim.
#[derive(Debug, Clone, Copy)]
pub struct Shown<'a>(pub &'a MassTaskDetail);

/// The task as the JSON a tool prints: [`Shown`] as a [`serde_json::Value`].
pub fn to_display_json(task: &MassTaskDetail) -> Result<serde_json::Value, serde_json::Error> {
    serde_json::to_value(Shown(task))
}

impl Serialize for Shown<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        crate::raw_json::shown_where_a_value_cannot_hold(|| self.serialize_shown(s))
    }
}

impl Shown<'_> {
    fn serialize_shown<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let task = self.0;
        if task.material_infos.is_none() && task.filter_range_info.is_none() {
            return task.serialize(s);
        }
        let shown = ShownTask {
            head: head(task),
            material_infos: task.material_infos.as_ref(),
            filter_range_info: task.filter_range_info.as_ref().map(ShownRangeInfo),
        };
        shown.serialize(s)
    }
}

/// Every field but the last two, which are written after in their shown form (they are the
/// struct's last two fields, so the order is the wire order). Those two are not cloned: a large
/// task's range is most of its memory.
fn head(task: &MassTaskDetail) -> MassTaskDetail {
    let MassTaskDetail {
        task_id,
        task_name,
        task_type,
        task_status,
        create_user_id,
        send_time,
        end_time,
        create_time,
        content,
        plan_staff_qty,
        no_send_staff_qty,
        success_staff_qty,
        fail_staff_qty,
        plan_target_qty,
        no_send_target_qty,
        success_target_qty,
        fail_target_qty,
        excess_target_qty,
        comment_staff_qty,
        comment_customer_qty,
        like_staff_qty,
        like_customer_qty,
        material_infos: _,
        filter_range_info: _,
    } = task;
    MassTaskDetail {
        task_id: *task_id,
        task_name: task_name.clone(),
        task_type: *task_type,
        task_status: *task_status,
        create_user_id: create_user_id.clone(),
        send_time: *send_time,
        end_time: *end_time,
        create_time: *create_time,
        content: content.clone(),
        plan_staff_qty: *plan_staff_qty,
        no_send_staff_qty: *no_send_staff_qty,
        success_staff_qty: *success_staff_qty,
        fail_staff_qty: *fail_staff_qty,
        plan_target_qty: *plan_target_qty,
        no_send_target_qty: *no_send_target_qty,
        success_target_qty: *success_target_qty,
        fail_target_qty: *fail_target_qty,
        excess_target_qty: *excess_target_qty,
        comment_staff_qty: *comment_staff_qty,
        comment_customer_qty: *comment_customer_qty,
        like_staff_qty: *like_staff_qty,
        like_customer_qty: *like_customer_qty,
        material_infos: None,
        filter_range_info: None,
    }
}

#[derive(serde::Serialize)]
struct ShownTask<'a> {
    #[serde(flatten)]
    head: MassTaskDetail,
    #[serde(skip_serializing_if = "Option::is_none")]
    material_infos: Option<&'a Vec<MaterialInfo>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter_range_info: Option<ShownRangeInfo<'a>>,
}

/// `filter_range_info` shown: its type, its flags, and the decoded range.
struct ShownRangeInfo<'a>(&'a FilterRangeInfo);

impl Serialize for ShownRangeInfo<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let info = self.0;
        let mut map = s.serialize_map(None)?;
        if let Some(filter_type) = info.range.filter_type_text() {
            map.serialize_entry("filter_type", &filter_type)?;
        }
        let flags = [
            ("is_all_customer", info.is_all_customer),
            ("is_all_customer_group", info.is_all_customer_group),
            ("all_staff", info.all_staff),
        ];
        for (name, flag) in flags {
            if let Some(flag) = flag {
                map.serialize_entry(name, &flag)?;
            }
        }
        map.serialize_entry("range_info", &info.range.shown())?;
        map.end()
    }
}
