//! The API's enumerations, each with its document label (中文) and an English one.

use std::fmt;

use serde::de::{self, Deserializer, Visitor};

use crate::labels::{deserialize_from_str_code, int_enum, str_enum};

int_enum! {
    /// `type`: the kind of mass-send task (群发类型).
    TaskType {
        /// 10: a company sends to customers.
        CorpToCustomers = 10 => ("企业群发客户", "company to customers"),
        /// 11: a company sends to customer groups.
        CorpToCustomerGroups = 11 => ("企业群发客户群", "company to customer groups"),
        /// 12: a company posts to Moments.
        CorpToMoments = 12 => ("企业群发朋友圈", "company to Moments"),
        /// 13: a staff member sends to customers.
        StaffToCustomers = 13 => ("个人群发客户", "staff to customers"),
        /// 14: a staff member sends to customer groups.
        StaffToCustomerGroups = 14 => ("个人群发客户群", "staff to customer groups"),
        /// 15: a staff member posts to Moments.
        StaffToMoments = 15 => ("个人群发朋友圈", "staff to Moments"),
    }
}

/// Who sends a mass-send task: the first half of [`TaskType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Sender {
    /// The company (企业).
    Corp,
    /// A staff member (个人).
    Staff,
}

/// Who receives a mass-send task: the second half of [`TaskType`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Audience {
    /// Customers (客户).
    Customers,
    /// Customer groups (客户群).
    CustomerGroups,
    /// Moments (朋友圈).
    Moments,
}

impl TaskType {
    /// The sender, or `None` for an unknown type.
    pub fn sender(self) -> Option<Sender> {
        match self {
            Self::CorpToCustomers | Self::CorpToCustomerGroups | Self::CorpToMoments => {
                Some(Sender::Corp)
            }
            Self::StaffToCustomers | Self::StaffToCustomerGroups | Self::StaffToMoments => {
                Some(Sender::Staff)
            }
            Self::Unknown(_) => None,
        }
    }

    /// The audience, or `None` for an unknown type.
    pub fn audience(self) -> Option<Audience> {
        match self {
            Self::CorpToCustomers | Self::StaffToCustomers => Some(Audience::Customers),
            Self::CorpToCustomerGroups | Self::StaffToCustomerGroups => {
                Some(Audience::CustomerGroups)
            }
            Self::CorpToMoments | Self::StaffToMoments => Some(Audience::Moments),
            Self::Unknown(_) => None,
        }
    }
}

impl crate::labels::Labelled for Sender {
    fn label(&self, lang: crate::labels::Lang) -> Option<&'static str> {
        use crate::labels::Lang::{En, Zh};
        Some(match (self, lang) {
            (Self::Corp, Zh) => "企业",
            (Self::Corp, En) => "company",
            (Self::Staff, Zh) => "个人",
            (Self::Staff, En) => "staff",
        })
    }
    fn wire_text(&self) -> String {
        format!("{self:?}")
    }
}

impl crate::labels::Labelled for Audience {
    fn label(&self, lang: crate::labels::Lang) -> Option<&'static str> {
        use crate::labels::Lang::{En, Zh};
        Some(match (self, lang) {
            (Self::Customers, Zh) => "客户",
            (Self::Customers, En) => "customers",
            (Self::CustomerGroups, Zh) => "客户群",
            (Self::CustomerGroups, En) => "customer groups",
            (Self::Moments, Zh) => "朋友圈",
            (Self::Moments, En) => "Moments",
        })
    }
    fn wire_text(&self) -> String {
        format!("{self:?}")
    }
}

int_enum! {
    /// `task_status`: where the task is in its life (任务状态).
    TaskStatus {
        /// -1: creation failed.
        CreateFailed = -1 => ("创建失败", "creation failed"),
        /// 0: not started yet.
        NotStarted = 0 => ("未开始", "not started"),
        /// 1: being created.
        Creating = 1 => ("创建中", "creating"),
        /// 2: running.
        InProgress = 2 => ("进行中", "in progress"),
        /// 3: finished.
        Ended = 3 => ("已结束", "ended"),
        /// 4: no longer valid.
        Expired = 4 => ("已失效", "expired"),
        /// 5: being closed.
        Closing = 5 => ("关闭中", "closing"),
    }
}

int_enum! {
    /// `act_child_type`: the sub-type of an activity material (活动素材子类型).
    ActChildType {
        /// 1: group buying.
        GroupBuy = 1 => ("拼团", "group buying"),
        /// 2: flash sale.
        FlashSale = 2 => ("秒杀", "flash sale"),
        /// 3: lucky draw.
        LuckyDraw = 3 => ("抽奖", "lucky draw"),
    }
}

int_enum! {
    /// Material `status` (素材状态).
    MaterialStatus {
        /// -1: the material was deleted.
        Deleted = -1 => ("已删除", "deleted"),
        /// 0: normal.
        Normal = 0 => ("正常", "normal"),
        /// 1: poster material whose mini-program authorization was withdrawn.
        PosterMiniProgramUnauthorized = 1 => (
            "海报素材-小程序已取消授权",
            "poster material: mini-program authorization withdrawn"
        ),
        /// 2: the staff promotion code on this poster was deleted.
        PosterStaffCodeDeleted = 2 => (
            "该海报上的员工推广码已被删除",
            "poster material: staff promotion code deleted"
        ),
    }
}

int_enum! {
    /// Tag `operator`: how the tags of a set combine (标签集合内的运算规则).
    TagOperator {
        /// 1: matches any one tag.
        Any = 1 => ("满足任意一个标签", "any of the tags"),
        /// 2: matches all tags.
        All = 2 => ("同时满足所有标签", "all of the tags"),
        /// 3: customers without tags.
        Untagged = 3 => ("无标签客户", "customers without tags"),
        /// 4: OR within a tag group, AND across groups.
        AnyInGroupAllAcrossGroups = 4 => (
            "同组标签为或,不同组标签为且",
            "any within a group, all across groups"
        ),
    }
}

int_enum! {
    /// `tag_type` of a customer tag (标签的类型).
    TagType {
        /// 1: company tag.
        Corp = 1 => ("企业标签", "company tag"),
        /// 2: personal tag.
        Personal = 2 => ("个人标签", "personal tag"),
        /// 3: business tag.
        Business = 3 => ("业务标签", "business tag"),
    }
}

int_enum! {
    /// Tag `status` (标签状态).
    TagStatus {
        /// 0: normal.
        Normal = 0 => ("正常", "normal"),
        /// 1: deleted or missing.
        DeletedOrMissing = 1 => ("删除或不存在", "deleted or missing"),
    }
}

int_enum! {
    /// Crowd-pack `deleted` (人群包删除状态).
    CrowdPackDeleted {
        /// 0: not deleted.
        NotDeleted = 0 => ("未删除", "not deleted"),
        /// 1: deleted.
        Deleted = 1 => ("已删除", "deleted"),
    }
}

str_enum! {
    /// `sex` of the targeted customers (性别). `UNKNOW` is spelled as the API spells it.
    Sex {
        /// `ALL`: any.
        All = "ALL" => ("全部", "all"),
        /// `M`: male.
        Male = "M" => ("男", "male"),
        /// `F`: female.
        Female = "F" => ("女", "female"),
        /// `UNKNOW`: unknown.
        NotKnown = "UNKNOW" => ("未知", "unknown"),
    }
}
deserialize_from_str_code!(Sex);

str_enum! {
    /// Chat (group) `status` (群聊状态). The codes keep their leading zeros; an integer on the wire
    /// (`100`) is read as its zero-padded code (`0100`).
    ChatStatus {
        /// `0`: normal.
        Normal = "0" => ("正常", "normal"),
        /// `0100`: wrong group id.
        WrongChatId = "0100" => ("群id错误", "wrong group id"),
        /// `0101`: the group was dissolved.
        Dissolved = "0101" => ("群被解散", "group dissolved"),
        /// `0201`: the owner was removed from the visible range.
        OwnerOutOfVisibleRange = "0201" => (
            "群主被移除可见范围",
            "owner removed from the visible range"
        ),
        /// `0202`: the account is not activated or has expired.
        AccountInactiveOrExpired = "0202" => (
            "账号未开通或已过期",
            "account not opened or expired"
        ),
        /// `0203`: the owner's account is not activated.
        OwnerAccountNotActivated = "0203" => ("群主账号未激活", "owner account not activated"),
    }
}

impl ChatStatus {
    /// Reads a code given as an integer: `0` is `0`, anything else is zero-padded to four digits
    /// when that gives a documented code (`100` → `0100`); other integers are kept as their decimal
    /// text.
    pub fn from_int(code: i64) -> Self {
        if code == 0 {
            return Self::Normal;
        }
        let padded = Self::from_code(&format!("{code:04}"));
        if padded.is_known() {
            padded
        } else {
            Self::Unknown(crate::labels::UnknownText::number(code))
        }
    }

    /// Reads a code given as a string. A documented code matches exactly; a string of digits that
    /// lost its leading zeros (`"100"`) is read like the integer.
    pub fn from_text(code: &str) -> Self {
        let exact = Self::from_code(code);
        if exact.is_known() {
            return exact;
        }
        match crate::lenient::parse_decimal(code) {
            Some(number) if code.bytes().all(|b| b.is_ascii_digit()) => {
                let from_number = Self::from_int(number);
                if from_number.is_known() {
                    from_number
                } else {
                    exact
                }
            }
            _ => exact,
        }
    }
}

impl<'de> serde::Deserialize<'de> for ChatStatus {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ChatStatusVisitor;
        impl Visitor<'_> for ChatStatusVisitor {
            type Value = ChatStatus;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a chat status code (a string such as \"0100\", or an integer)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ChatStatus, E> {
                Ok(ChatStatus::from_text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<ChatStatus, E> {
                Ok(ChatStatus::from_int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<ChatStatus, E> {
                match i64::try_from(v) {
                    Ok(v) => Ok(ChatStatus::from_int(v)),
                    Err(_) => Ok(ChatStatus::Unknown(crate::labels::UnknownText::number(v))),
                }
            }
        }
        d.deserialize_any(ChatStatusVisitor)
    }
}

str_enum! {
    /// `filter_type`: which audience filter a task uses, and so which `range_info` schema (过滤类型).
    FilterType {
        /// All customers.
        AllCustomer = "AllCustomer" => ("全部客户", "all customers"),
        /// All customer groups.
        AllCustomerGroup = "AllCustomerGroup" => ("全部客户群", "all customer groups"),
        /// Company mass-send to customers.
        CorpSend2Customer = "CorpSend2Customer" => ("企业群发客户", "company to customers"),
        /// Staff mass-send to customers.
        StaffSend2Customer = "StaffSend2Customer" => ("个人群发客户", "staff to customers"),
        /// Company mass-send to customer groups.
        CorpSend2CustomerGroup = "CorpSend2CustomerGroup" => (
            "企业群发客户群",
            "company to customer groups"
        ),
        /// Staff mass-send to customer groups.
        StaffSend2CustomerGroup = "StaffSend2CustomerGroup" => (
            "个人群发客户群",
            "staff to customer groups"
        ),
        /// Company post to Moments.
        CorpSend2Moment = "CorpSend2Moment" => ("企业发表朋友圈", "company post to Moments"),
        /// Staff post to Moments.
        StaffSend2Moment = "StaffSend2Moment" => ("个人发表朋友圈", "staff post to Moments"),
        /// Company mass-send by named staff to named customers.
        OpenSend2Customer = "OpenSend2Customer" => (
            "企业群发指定员工发送给指定客户",
            "company: named staff to named customers"
        ),
        /// Company mass-send by named staff to named customer groups.
        OpenSend2CustomerGroup = "OpenSend2CustomerGroup" => (
            "企业群发指定员工发送给指定客户群",
            "company: named staff to named customer groups"
        ),
        /// Crowd pack.
        CrowdPack = "CrowdPack" => ("人群包", "crowd pack"),
    }
}
deserialize_from_str_code!(FilterType);

#[cfg(test)]
mod tests {
    use super::*;
    use crate::labels::{Labelled, Lang};

    #[test]
    fn chat_status_integers_map_to_zero_padded_codes() {
        assert_eq!(ChatStatus::from_int(0), ChatStatus::Normal);
        assert_eq!(ChatStatus::from_int(100), ChatStatus::WrongChatId);
        assert_eq!(ChatStatus::from_int(101), ChatStatus::Dissolved);
        assert_eq!(
            ChatStatus::from_int(201),
            ChatStatus::OwnerOutOfVisibleRange
        );
        assert_eq!(
            ChatStatus::from_int(202),
            ChatStatus::AccountInactiveOrExpired
        );
        assert_eq!(
            ChatStatus::from_int(203),
            ChatStatus::OwnerAccountNotActivated
        );
        let seven = ChatStatus::from_int(7);
        assert!(matches!(&seven, ChatStatus::Unknown(u) if u.as_str() == "7" && u.was_number()));
        assert_eq!(ChatStatus::from_text("100"), ChatStatus::WrongChatId);
        assert_eq!(ChatStatus::from_text("0100"), ChatStatus::WrongChatId);
        for text in ["abc", "0007"] {
            let status = ChatStatus::from_text(text);
            assert!(
                matches!(&status, ChatStatus::Unknown(u) if u.as_str() == text && !u.was_number())
            );
        }
    }

    #[test]
    fn every_known_value_round_trips_and_has_both_labels() {
        fn check<
            T: Labelled + serde::Serialize + serde::de::DeserializeOwned + PartialEq + fmt::Debug,
        >(
            values: &[T],
        ) {
            for value in values {
                assert!(value.label(Lang::Zh).is_some(), "{value:?}");
                assert!(value.label(Lang::En).is_some(), "{value:?}");
                let json = serde_json::to_string(value).expect("serialize");
                let back: T = serde_json::from_str(&json).expect("deserialize");
                assert_eq!(&back, value);
            }
        }
        check(TaskType::KNOWN);
        check(TaskStatus::KNOWN);
        check(ActChildType::KNOWN);
        check(MaterialStatus::KNOWN);
        check(TagOperator::KNOWN);
        check(TagType::KNOWN);
        check(TagStatus::KNOWN);
        check(CrowdPackDeleted::KNOWN);
        check(Sex::KNOWN);
        check(ChatStatus::KNOWN);
        check(FilterType::KNOWN);
    }

    #[test]
    fn unknown_values_are_kept_and_serialize_unchanged() {
        let op: TagOperator = serde_json::from_str("99").expect("int");
        assert!(matches!(op, TagOperator::Unknown(code) if code.get() == 99));
        assert_eq!(serde_json::to_string(&op).expect("ser"), "99");
        assert_eq!(op.describe(Lang::En), "unknown (99)");
        let sex: Sex = serde_json::from_str("\"X\"").expect("str");
        assert_eq!(serde_json::to_string(&sex).expect("ser"), "\"X\"");
        let status: TaskStatus = serde_json::from_str("\"-1\"").expect("string int");
        assert_eq!(status, TaskStatus::CreateFailed);
    }

    #[test]
    fn task_type_splits_into_sender_and_audience() {
        assert_eq!(TaskType::CorpToMoments.sender(), Some(Sender::Corp));
        assert_eq!(TaskType::CorpToMoments.audience(), Some(Audience::Moments));
        assert_eq!(
            TaskType::StaffToCustomerGroups.sender(),
            Some(Sender::Staff)
        );
        assert_eq!(
            TaskType::StaffToCustomerGroups.audience(),
            Some(Audience::CustomerGroups)
        );
        assert_eq!(TaskType::from_code(16).sender(), None);
        assert_eq!(TaskType::from_code(16).audience(), None);
    }

    #[test]
    fn a_known_code_always_gives_its_named_variant() {
        assert_eq!(TaskType::from(10), TaskType::CorpToCustomers);
        for known in TaskType::KNOWN {
            assert_eq!(TaskType::from(known.code()), *known);
            assert!(known.is_known());
        }
        for known in ChatStatus::KNOWN {
            assert_eq!(ChatStatus::from_code(known.code()), *known);
        }
        // `Unknown` can only be made from an unlisted code (its field is private).
        assert!(!TaskType::from(16).is_known());
        assert_eq!(i64::from(TaskType::from(16)), 16);
    }

    #[test]
    fn an_unlisted_integer_chat_status_is_written_back_as_an_integer() {
        let status: ChatStatus = serde_json::from_str("7").expect("int");
        assert_eq!(serde_json::to_string(&status).expect("ser"), "7");
        let big: ChatStatus = serde_json::from_str("18446744073709551615").expect("u64");
        assert_eq!(
            serde_json::to_string(&big).expect("ser"),
            "18446744073709551615"
        );
        let text: ChatStatus = serde_json::from_str("\"7\"").expect("text");
        assert_eq!(serde_json::to_string(&text).expect("ser"), "\"7\"");
    }
}
