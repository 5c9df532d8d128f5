//! The readable summary of a task that `wshoto task get` prints, in English or Chinese.

use std::fmt::Write as _;

use chrono::{DateTime, Utc};
use wshoto_model::range::{
    Chat, CrowdPackRange, CustomerRange, GroupRange, MomentRange, StaffAssignments, StaffRange,
    TagDetail, TagFilter, TagGroup, TenantId,
};
use wshoto_model::time::BEIJING;
use wshoto_model::{Labelled, Lang, MassTaskDetail, MaterialInfo, Progress, RangeInfo, RawRange};

use crate::text::escape;
use crate::words::{Words, words};

/// The whole summary, lines ending in `\n`. Everything the server sent is shown with control and
/// bidirectional-override characters escaped: a task name cannot drive the terminal.
pub fn render(task: &MassTaskDetail, lang: Lang) -> String {
    let w = words(lang);
    let mut out = String::new();
    let name = escape(task.task_name.as_deref().unwrap_or("-"));
    let _ = writeln!(out, "{} {} · {name}", w.task, task.task_id);
    if let Some(kind) = task.task_type {
        let split = match (kind.sender(), kind.audience()) {
            (Some(sender), Some(audience)) => format!(
                " ({}: {}, {}: {})",
                w.sender,
                sender.describe(lang),
                w.audience_word,
                audience.describe(lang)
            ),
            _ => String::new(),
        };
        field(&mut out, w.kind, &format!("{}{split}", kind.describe(lang)));
    }
    if let Some(status) = task.task_status {
        field(&mut out, w.status, &status.describe(lang));
    }
    if let Some(creator) = &task.create_user_id {
        field(&mut out, w.creator, creator);
    }
    for (label, raw, at) in [
        (w.send_time, task.send_time, task.send_at()),
        (w.end_time, task.end_time, task.end_at()),
        (w.created, task.create_time, task.created_at()),
    ] {
        if let Some(raw) = raw {
            field(&mut out, label, &time(raw, at));
        }
    }
    let staff = task.staff_progress();
    let staff_extra = extra(
        lang,
        &[
            ("not sent", "未执行", task.no_send_staff_qty),
            ("failed", "无法执行", task.fail_staff_qty),
        ],
    );
    field(
        &mut out,
        w.staff,
        &format!("{} {}{staff_extra}", progress(staff), w.sent),
    );
    let targets = task.target_progress();
    let target_extra = extra(
        lang,
        &[
            ("not reached", "未送达", task.no_send_target_qty),
            ("failed", "送达失败", task.fail_target_qty),
            ("over quota", "超额送达", task.excess_target_qty),
        ],
    );
    field(
        &mut out,
        w.targets,
        &format!("{} {}{target_extra}", progress(targets), w.reached),
    );
    let interactions = [
        ("staff comments", "评论员工", task.comment_staff_qty),
        ("customer comments", "评论客户", task.comment_customer_qty),
        ("staff likes", "点赞员工", task.like_staff_qty),
        ("customer likes", "点赞客户", task.like_customer_qty),
    ];
    if interactions
        .iter()
        .any(|(_, _, n)| n.is_some_and(|n| n > 0))
    {
        let text = interactions
            .iter()
            .filter_map(|(en, zh, n)| n.map(|n| format!("{} {n}", pick(lang, en, zh))))
            .collect::<Vec<_>>()
            .join(", ");
        field(&mut out, w.interactions, &text);
    }
    if let Some(content) = &task.content {
        field(&mut out, w.content, &one_line(content));
    }
    let materials = task.material_infos.as_deref().unwrap_or_default();
    field(&mut out, w.materials, &materials.len().to_string());
    for material in materials {
        let _ = writeln!(out, "    - {}", escape(&material_line(material, lang)));
    }
    if let Some(info) = &task.filter_range_info {
        let filter = info
            .filter_type()
            .map(|t| format!("{} ({})", t.describe(lang), t.code()))
            .unwrap_or_else(|| w.none.to_owned());
        field(&mut out, w.audience, &filter);
        if info.all_staff == Some(true) {
            let _ = writeln!(out, "    {}", w.all_staff);
        }
        for line in range_lines(&info.range, lang) {
            let _ = writeln!(out, "    {}", escape(&line));
        }
    }
    out
}

/// Width of the label column, in terminal cells.
const LABEL_CELLS: usize = 10;

/// One `label value` line, the labels padded to one column (CJK characters take two cells).
/// The value (which holds what the server sent) has its control characters escaped.
fn field(out: &mut String, label: &str, value: &str) {
    let value = escape(value);
    let cells: usize = label
        .chars()
        .map(|c| if c.is_ascii() { 1 } else { 2 })
        .sum();
    let pad = " ".repeat(LABEL_CELLS.saturating_sub(cells) + 1);
    let _ = writeln!(out, "  {label}{pad}{value}");
}

fn pick<'a>(lang: Lang, en: &'a str, zh: &'a str) -> &'a str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

fn time(raw: i64, at: Option<DateTime<Utc>>) -> String {
    match at {
        Some(at) => format!(
            "{} (UTC+8)",
            at.with_timezone(&BEIJING).format("%Y-%m-%d %H:%M:%S")
        ),
        None => raw.to_string(),
    }
}

fn progress(p: Progress) -> String {
    let show = |n: Option<i64>| n.map_or_else(|| "?".to_owned(), |n| n.to_string());
    format!("{} / {}", show(p.done), show(p.planned))
}

fn extra(lang: Lang, parts: &[(&str, &str, Option<i64>)]) -> String {
    let shown: Vec<String> = parts
        .iter()
        .filter_map(|(en, zh, n)| n.map(|n| format!("{} {n}", pick(lang, en, zh))))
        .collect();
    if shown.is_empty() {
        String::new()
    } else {
        format!(" ({})", shown.join(", "))
    }
}

fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    match flat.char_indices().nth(100) {
        Some((cut, _)) => format!("{}…", &flat[..cut]),
        None => flat,
    }
}

fn material_line(m: &MaterialInfo, lang: Lang) -> String {
    let mut parts = Vec::new();
    if let Some(kind) = m.material_type {
        parts.push(format!("{} {kind}", pick(lang, "type", "类型")));
    }
    if let Some(child) = m.act_child_type {
        parts.push(child.describe(lang));
    }
    if let Some(status) = m.status {
        parts.push(status.describe(lang));
    }
    let id = m
        .material_id
        .map_or_else(String::new, |id| format!("#{id} "));
    let title = m.title.as_deref().unwrap_or("-");
    format!("{id}{title} ({})", parts.join(", "))
}

fn list<T: AsRef<str>>(items: &[T]) -> String {
    items
        .iter()
        .map(AsRef::as_ref)
        .collect::<Vec<_>>()
        .join(", ")
}

fn push_list<T: AsRef<str>>(lines: &mut Vec<String>, label: &str, items: Option<&[T]>) {
    if let Some(items) = items.filter(|i| !i.is_empty()) {
        lines.push(format!("{label}: {}", list(items)));
    }
}

fn staff_lines(lines: &mut Vec<String>, range: Option<&StaffRange>, w: &Words, label: &str) {
    let Some(range) = range else { return };
    let mut parts = Vec::new();
    if let Some(ids) = range.user_ids.as_deref().filter(|i| !i.is_empty()) {
        parts.push(format!("{}: {}", w.staff_ids, list(ids)));
    }
    if let Some(depts) = range.dept_ids.as_deref().filter(|d| !d.is_empty()) {
        let depts: Vec<String> = depts.iter().map(ToString::to_string).collect();
        parts.push(format!("{}: {}", w.departments, list(&depts)));
    }
    if let Some(tags) = range.user_tags.as_deref().filter(|t| !t.is_empty()) {
        let names: Vec<&str> = tags
            .iter()
            .map(|t| t.tag_name.as_deref().or(t.tag_id.as_deref()).unwrap_or("-"))
            .collect();
        parts.push(format!("{}: {}", w.staff_tags, list(&names)));
    }
    if !parts.is_empty() {
        lines.push(format!("{label}: {}", parts.join("; ")));
    }
}

fn tag_name(tag: &TagDetail, lang: Lang) -> String {
    let name = tag
        .tag_name
        .as_deref()
        .or(tag.tag_id.as_deref())
        .unwrap_or("-");
    match tag.status {
        Some(status) if status != wshoto_model::TagStatus::Normal => {
            format!("{name} [{}]", status.describe(lang))
        }
        _ => name.to_owned(),
    }
}

fn tag_names(tags: Option<&[TagDetail]>, lang: Lang) -> Vec<String> {
    tags.unwrap_or_default()
        .iter()
        .map(|t| tag_name(t, lang))
        .collect()
}

fn tag_filter_line(lines: &mut Vec<String>, label: &str, filter: Option<&TagFilter>, lang: Lang) {
    let Some(filter) = filter else { return };
    let tags = tag_names(filter.tag_detail_list.as_deref(), lang);
    let rule = filter
        .operator
        .map(|o| format!(" ({})", o.describe(lang)))
        .unwrap_or_default();
    lines.push(format!(
        "{label}{rule}: {}",
        if tags.is_empty() {
            "-".to_owned()
        } else {
            list(&tags)
        }
    ));
}

fn tag_groups_line(lines: &mut Vec<String>, label: &str, groups: Option<&[TagGroup]>, lang: Lang) {
    let Some(groups) = groups.filter(|g| !g.is_empty()) else {
        return;
    };
    let shown: Vec<String> = groups
        .iter()
        .map(|g| {
            let tags = tag_names(g.tag_detail_list.as_deref(), lang);
            let name = g
                .tag_group_name
                .as_deref()
                .or(g.tag_group_id.as_deref())
                .unwrap_or("-");
            format!("{name} ({})", list(&tags))
        })
        .collect();
    lines.push(format!("{label}: {}", list(&shown)));
}

fn assignments_line(lines: &mut Vec<String>, w: &Words, map: Option<&StaffAssignments>) {
    let Some(map) = map.filter(|m| !m.is_empty()) else {
        return;
    };
    let shown: Vec<String> = map
        .iter()
        .map(|(staff, targets)| format!("{staff} → {}", list(targets)))
        .collect();
    lines.push(format!("{}: {}", w.assignments, shown.join("; ")));
}

fn chat_line(chat: &Chat, lang: Lang) -> String {
    let name = chat
        .chat_name
        .as_deref()
        .or(chat.chat_id.as_deref())
        .unwrap_or("-");
    match &chat.status {
        Some(status) => format!("{name} [{}]", status.describe(lang)),
        None => name.to_owned(),
    }
}

fn customer_lines(r: &CustomerRange, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut lines = Vec::new();
    staff_lines(&mut lines, r.add_user_range.as_ref(), w, w.added_by);
    if let Some(times) = &r.add_time_range {
        let show =
            |t: Option<&wshoto_model::RawJson>| t.map_or("…".to_owned(), |t| t.to_string());
        lines.push(format!(
            "{}: {} ~ {} (UTC+8)",
            w.added,
            show(times.start_time.as_ref()),
            show(times.end_time.as_ref())
        ));
    }
    tag_filter_line(&mut lines, w.include, r.include_tags.as_ref(), lang);
    tag_filter_line(&mut lines, w.exclude, r.exclude_tags.as_ref(), lang);
    if let Some(locations) = r.locations.as_deref().filter(|l| !l.is_empty()) {
        let shown: Vec<&str> = locations
            .iter()
            .map(|l| {
                l.region_remark
                    .as_deref()
                    .or(l.region_code.as_deref())
                    .unwrap_or("-")
            })
            .collect();
        lines.push(format!("{}: {}", w.regions, shown.join("; ")));
    }
    if let Some(chats) = r.chat_list.as_deref().filter(|c| !c.is_empty()) {
        let shown: Vec<String> = chats.iter().map(|c| chat_line(c, lang)).collect();
        lines.push(format!("{}: {}", w.chats, list(&shown)));
    }
    if let Some(sex) = &r.sex {
        lines.push(format!("{}: {}", w.sex, sex.describe(lang)));
    }
    if let Some(age) = &r.age_range {
        lines.push(format!("{}: {age}", w.age));
    }
    push_list(&mut lines, w.remark_words, r.remark_key_words.as_deref());
    push_list(
        &mut lines,
        w.description_words,
        r.description_key_words.as_deref(),
    );
    tag_groups_line(&mut lines, w.tag_groups, r.tag_groups.as_deref(), lang);
    assignments_line(&mut lines, w, r.user_customer_info.as_ref());
    lines
}

fn group_lines(r: &GroupRange, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut lines = Vec::new();
    staff_lines(&mut lines, r.group_owner_range.as_ref(), w, w.owners);
    push_list(&mut lines, w.group_names, r.group_name_list.as_deref());
    tag_filter_line(&mut lines, w.include, r.include_tags.as_ref(), lang);
    tag_filter_line(&mut lines, w.exclude, r.exclude_tags.as_ref(), lang);
    assignments_line(&mut lines, w, r.user_chat_info.as_ref());
    lines
}

fn moment_lines(r: &MomentRange, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut lines = Vec::new();
    staff_lines(&mut lines, r.add_user_range.as_ref(), w, w.posted_by);
    tag_groups_line(&mut lines, w.tag_groups, r.tag_groups.as_deref(), lang);
    tag_filter_line(&mut lines, w.exclude, r.exclude_tags.as_ref(), lang);
    lines
}

fn crowd_lines(r: &CrowdPackRange, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut lines = Vec::new();
    match &r.tenant_id {
        Some(TenantId::Text(tenant)) => lines.push(format!("{}: {tenant}", w.tenant)),
        Some(TenantId::Json(value)) => lines.push(format!("{}: {value}", w.tenant)),
        None => {}
    }
    let packs: Vec<String> = r
        .crowd_packs
        .as_deref()
        .unwrap_or_default()
        .iter()
        .map(|p| {
            let id = p.id.map_or_else(String::new, |id| format!(" #{id}"));
            let deleted = p
                .deleted
                .filter(|d| *d != wshoto_model::CrowdPackDeleted::NotDeleted)
                .map(|d| format!(" [{}]", d.describe(lang)))
                .unwrap_or_default();
            format!("{}{id}{deleted}", p.name.as_deref().unwrap_or("-"))
        })
        .collect();
    if !packs.is_empty() {
        lines.push(format!("{}: {}", w.crowd_packs, list(&packs)));
    }
    lines
}

/// The audience in words, one line each.
fn range_lines(range: &RangeInfo, lang: Lang) -> Vec<String> {
    let w = words(lang);
    let mut lines = match range {
        RangeInfo::AllCustomer | RangeInfo::AllCustomerGroup => Vec::new(),
        RangeInfo::CorpSend2Customer(r) | RangeInfo::StaffSend2Customer(r) => {
            customer_lines(r, lang)
        }
        RangeInfo::CorpSend2CustomerGroup(r) | RangeInfo::StaffSend2CustomerGroup(r) => {
            group_lines(r, lang)
        }
        RangeInfo::CorpSend2Moment(r) | RangeInfo::StaffSend2Moment(r) => moment_lines(r, lang),
        RangeInfo::OpenSend2Customer(r) => {
            let mut lines = Vec::new();
            assignments_line(&mut lines, w, r.user_customer_info.as_ref());
            lines
        }
        RangeInfo::OpenSend2CustomerGroup(r) => {
            let mut lines = Vec::new();
            assignments_line(&mut lines, w, r.user_chat_info.as_ref());
            lines
        }
        RangeInfo::CrowdPack(r) => crowd_lines(r, lang),
        RangeInfo::Invalid(invalid) => vec![format!("{}: {}", w.undecodable, invalid.error)],
        RangeInfo::Unknown(unknown) => {
            let raw = match &unknown.raw {
                Some(RawRange::Text(text)) => one_line(text),
                Some(RawRange::Json(json)) => one_line(json.get()),
                None => String::new(),
            };
            vec![format!(
                "{} {}: {raw}",
                w.unknown_type,
                unknown.filter_type.as_deref().unwrap_or("-")
            )]
        }
        _ => Vec::new(),
    };
    if lines.is_empty() && !matches!(range, RangeInfo::AllCustomer | RangeInfo::AllCustomerGroup) {
        lines.push(w.no_filter.to_owned());
    }
    lines
}
