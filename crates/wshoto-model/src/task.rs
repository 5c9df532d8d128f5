//! The mass-send task (`data` of the response) and its materials.

use chrono::{DateTime, Utc};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_with::skip_serializing_none;

use crate::enums::{ActChildType, Audience, MaterialStatus, Sender, TaskStatus, TaskType};
use crate::lenient;
use crate::range::FilterRangeInfo;
use crate::time::from_epoch_seconds;

/// A mass-send task's detail (群发任务详情): the `data` object of the response.
///
/// Every field but `task_id` may be absent (or `null`) and then reads as `None`. Serializing gives
/// the wire form back, with `range_info` encoded into a string.
///
/// `#[non_exhaustive]`, like every response struct here, so that a field the API adds is not a
/// breaking change: to build one (in your tests), start from `MassTaskDetail::default()` and set
/// the fields you need.
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(expecting = "a mass-send task object")]
#[non_exhaustive]
pub struct MassTaskDetail {
    /// Task id (群发任务id), `long`.
    #[serde(deserialize_with = "lenient::int")]
    pub task_id: i64,
    /// Task name (群发任务名称).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub task_name: Option<CompactString>,
    /// `type`: sender and audience (群发类型); see [`TaskType::sender`] and [`TaskType::audience`].
    #[serde(rename = "type")]
    pub task_type: Option<TaskType>,
    /// Task state (任务状态).
    pub task_status: Option<TaskStatus>,
    /// Staff id of the creator (创建群发任务员工ID).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub create_user_id: Option<CompactString>,
    /// When the task sends (任务发送时间), epoch seconds (assumed; see [`Self::send_at`]).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub send_time: Option<i64>,
    /// When the task ends (任务结束时间), epoch seconds (assumed).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub end_time: Option<i64>,
    /// When the task was created (任务创建时间), epoch seconds (assumed).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub create_time: Option<i64>,
    /// Text sent (发送文本内容).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub content: Option<CompactString>,
    /// Staff expected to send (预计执行员工数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub plan_staff_qty: Option<i64>,
    /// Staff who have not sent (未执行员工数量).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub no_send_staff_qty: Option<i64>,
    /// Staff who sent (已执行员工数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub success_staff_qty: Option<i64>,
    /// Staff who could not send (无法执行员工数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub fail_staff_qty: Option<i64>,
    /// Customers or groups expected to receive (预计发送客户/客户群数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub plan_target_qty: Option<i64>,
    /// Customers or groups not reached (未送达客户/客户群数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub no_send_target_qty: Option<i64>,
    /// Customers or groups reached (已送达客户/客户群数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub success_target_qty: Option<i64>,
    /// Customers or groups where delivery failed (送达失败客户/客户群).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub fail_target_qty: Option<i64>,
    /// Customers or groups reached over the quota (超额送达客户/客户群数).
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub excess_target_qty: Option<i64>,
    /// Staff who commented (评论员工数), Moments.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub comment_staff_qty: Option<i64>,
    /// Customers who commented (评论客户数), Moments.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub comment_customer_qty: Option<i64>,
    /// Staff who liked (点赞员工数), Moments.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub like_staff_qty: Option<i64>,
    /// Customers who liked (点赞客户数), Moments.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub like_customer_qty: Option<i64>,
    /// Materials sent (素材信息数据集合).
    pub material_infos: Option<Vec<MaterialInfo>>,
    /// Who the task is sent to (筛选范围).
    pub filter_range_info: Option<FilterRangeInfo>,
}

/// A material sent with a task (素材信息).
#[skip_serializing_none]
#[cfg_attr(feature = "schemars", derive(schemars::JsonSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(expecting = "a material object")]
#[non_exhaustive]
pub struct MaterialInfo {
    /// Material id (素材ID), `long`.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub material_id: Option<i64>,
    /// Material kind (素材类型); the document lists no values.
    #[serde(default, deserialize_with = "lenient::opt_int")]
    pub material_type: Option<i64>,
    /// Title (标题).
    #[serde(default, deserialize_with = "lenient::opt_str")]
    pub title: Option<CompactString>,
    /// Combined-material id (组合素材ID).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub combination_id: Option<CompactString>,
    /// Material category id (素材分类ID).
    #[serde(default, deserialize_with = "lenient::opt_id")]
    pub package_config_id: Option<CompactString>,
    /// Activity sub-type (活动素材子类型).
    pub act_child_type: Option<ActChildType>,
    /// Material state (素材状态).
    pub status: Option<MaterialStatus>,
}

/// A "done / planned" pair of counters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub struct Progress {
    /// How many did it.
    pub done: Option<i64>,
    /// How many were planned.
    pub planned: Option<i64>,
}

impl MassTaskDetail {
    /// `send_time` as a UTC instant, reading it as epoch seconds.
    pub fn send_at(&self) -> Option<DateTime<Utc>> {
        self.send_time.and_then(from_epoch_seconds)
    }

    /// `end_time` as a UTC instant, reading it as epoch seconds.
    pub fn end_at(&self) -> Option<DateTime<Utc>> {
        self.end_time.and_then(from_epoch_seconds)
    }

    /// `create_time` as a UTC instant, reading it as epoch seconds.
    pub fn created_at(&self) -> Option<DateTime<Utc>> {
        self.create_time.and_then(from_epoch_seconds)
    }

    /// Who sends: company or staff, from `type`.
    pub fn sender(&self) -> Option<Sender> {
        self.task_type.and_then(TaskType::sender)
    }

    /// Who receives: customers, customer groups or Moments, from `type`.
    pub fn audience(&self) -> Option<Audience> {
        self.task_type.and_then(TaskType::audience)
    }

    /// Staff who sent, of those planned.
    pub fn staff_progress(&self) -> Progress {
        Progress {
            done: self.success_staff_qty,
            planned: self.plan_staff_qty,
        }
    }

    /// Customers or groups reached, of those planned.
    pub fn target_progress(&self) -> Progress {
        Progress {
            done: self.success_target_qty,
            planned: self.plan_target_qty,
        }
    }
}
