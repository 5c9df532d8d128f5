//! Tasks made up from their id, for large exports and benchmarks.

use bytes::Bytes;

/// A whole response envelope for task `task_id`, the same bytes every time for the same id: a
/// company-to-customers task with counters, two materials and a CorpSend2Customer range, in the
/// size and shape of a typical real answer (about 1.5 KB). Written straight as text (every
/// variable part is a number or plain ASCII, so nothing needs escaping): a batch benchmark asks
/// for tens of thousands, and building them as `Value`s cost the mock as much as a client's
/// whole decode.
pub fn synthetic_task(task_id: i64) -> Bytes {
    let n = task_id.unsigned_abs();
    let planned = 50 + (n % 950) as i64;
    let reached = planned * 9 / 10;
    let send_time = 1_700_000_000 + (n % 30_000_000) as i64;
    let staff = n % 100;
    let next_staff = (n + 1) % 100;
    let tag = n % 17;
    let material = (n % 1000) as i64;
    let range_info = format!(
        concat!(
            r#"{{\"add_user_range\":{{\"user_ids\":[\"staff{staff:03}\",\"staff{next_staff:03}\"],"#,
            r#"\"dept_ids\":[2,15],\"user_tags\":[{{\"tag_id\":\"et_sales\",\"tag_name\":\"销售\"}}]}},"#,
            r#"\"include_tags\":{{\"operator\":1,\"tag_detail_list\":[{{\"tag_id\":\"etA{tag}\","#,
            r#"\"tag_name\":\"高意向\",\"tag_type\":1,\"strategy_id\":0,\"auth\":1,\"status\":0,"#,
            r#"\"desc\":\"\"}}]}},\"locations\":[{{\"region_code\":\"420115\","#,
            r#"\"region_remark\":\"湖北省,武汉市,江夏区\"}}],\"sex\":\"ALL\","#,
            r#"\"remark_key_words\":[\"VIP\"]}}"#,
        ),
        staff = staff,
        next_staff = next_staff,
        tag = tag,
    );
    let text = format!(
        concat!(
            r#"{{"code":0,"msg":"请求成功","data":{{"task_id":{task_id},"#,
            r#""task_name":"合成任务 {task_id}","task_status":3,"type":10,"#,
            r#""create_user_id":"staff{staff:03}","send_time":{send_time},"#,
            r#""end_time":{end_time},"create_time":{create_time},"#,
            r#""content":"会员专享礼券已到账,点击领取。","plan_staff_qty":3,"#,
            r#""no_send_staff_qty":0,"success_staff_qty":3,"fail_staff_qty":0,"#,
            r#""plan_target_qty":{planned},"no_send_target_qty":{no_send},"#,
            r#""success_target_qty":{reached},"fail_target_qty":1,"excess_target_qty":0,"#,
            r#""comment_staff_qty":0,"comment_customer_qty":0,"like_staff_qty":0,"#,
            r#""like_customer_qty":0,"material_infos":["#,
            r#"{{"material_id":{first_material},"material_type":2,"title":"礼券","#,
            r#""combination_id":"cmb_01","package_config_id":"pkg_festival","#,
            r#""act_child_type":1,"status":0}},"#,
            r#"{{"material_id":{second_material},"material_type":5,"title":"海报","#,
            r#""combination_id":"","package_config_id":"pkg_poster","act_child_type":3,"#,
            r#""status":0}}],"filter_range_info":{{"filter_type":"CorpSend2Customer","#,
            r#""is_all_customer":false,"is_all_customer_group":false,"all_staff":false,"#,
            r#""range_info":"{range_info}"}}}}}}"#,
        ),
        task_id = task_id,
        staff = staff,
        send_time = send_time,
        end_time = send_time + 86_400,
        create_time = send_time - 3_600,
        planned = planned,
        no_send = planned - reached - 1,
        reached = reached,
        first_material = 730_000 + material,
        second_material = 731_000 + material,
        range_info = range_info,
    );
    Bytes::from(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The builder this module had before it wrote the text itself: the reference.
    fn reference(task_id: i64) -> Bytes {
        let n = task_id.unsigned_abs();
        let planned = 50 + (n % 950) as i64;
        let reached = planned * 9 / 10;
        let send_time = 1_700_000_000 + (n % 30_000_000) as i64;
        let range_info = json!({
            "add_user_range": {
                "user_ids": [format!("staff{:03}", n % 100), format!("staff{:03}", (n + 1) % 100)],
                "dept_ids": [2, 15],
                "user_tags": [{"tag_id": "et_sales", "tag_name": "销售"}]
            },
            "include_tags": {
                "operator": 1,
                "tag_detail_list": [{
                    "tag_id": format!("etA{}", n % 17),
                    "tag_name": "高意向",
                    "tag_type": 1,
                    "strategy_id": 0,
                    "auth": 1,
                    "status": 0,
                    "desc": ""
                }]
            },
            "locations": [{"region_code": "420115", "region_remark": "湖北省,武汉市,江夏区"}],
            "sex": "ALL",
            "remark_key_words": ["VIP"]
        });
        let envelope = json!({
            "code": 0,
            "msg": "请求成功",
            "data": {
                "task_id": task_id,
                "task_name": format!("合成任务 {task_id}"),
                "task_status": 3,
                "type": 10,
                "create_user_id": format!("staff{:03}", n % 100),
                "send_time": send_time,
                "end_time": send_time + 86_400,
                "create_time": send_time - 3_600,
                "content": "会员专享礼券已到账,点击领取。",
                "plan_staff_qty": 3,
                "no_send_staff_qty": 0,
                "success_staff_qty": 3,
                "fail_staff_qty": 0,
                "plan_target_qty": planned,
                "no_send_target_qty": planned - reached - 1,
                "success_target_qty": reached,
                "fail_target_qty": 1,
                "excess_target_qty": 0,
                "comment_staff_qty": 0,
                "comment_customer_qty": 0,
                "like_staff_qty": 0,
                "like_customer_qty": 0,
                "material_infos": [
                    {"material_id": 730_000 + (n % 1000) as i64, "material_type": 2, "title": "礼券",
                     "combination_id": "cmb_01", "package_config_id": "pkg_festival",
                     "act_child_type": 1, "status": 0},
                    {"material_id": 731_000 + (n % 1000) as i64, "material_type": 5, "title": "海报",
                     "combination_id": "", "package_config_id": "pkg_poster",
                     "act_child_type": 3, "status": 0}
                ],
                "filter_range_info": {
                    "filter_type": "CorpSend2Customer",
                    "is_all_customer": false,
                    "is_all_customer_group": false,
                    "all_staff": false,
                    "range_info": range_info.to_string()
                }
            }
        });
        Bytes::from(envelope.to_string())
    }

    /// The text reads as the same JSON as the `Value`s it replaced, `range_info` included.
    #[test]
    fn synthetic_tasks_are_the_json_the_reference_builds() {
        let read = |bytes: &[u8]| {
            let mut value: serde_json::Value = serde_json::from_slice(bytes).expect("json");
            let range = &mut value["data"]["filter_range_info"]["range_info"];
            let document: serde_json::Value =
                serde_json::from_str(range.as_str().expect("a string")).expect("range json");
            *range = document;
            value
        };
        let ids = [0, 1, 7, 54, 99, 100, 999, 1_000_001, 123_456_789, -3];
        for id in ids.into_iter().chain([i64::MAX, i64::MIN]) {
            assert_eq!(read(&synthetic_task(id)), read(&reference(id)), "{id}");
        }
    }

    #[test]
    fn synthetic_tasks_are_stable_and_carry_their_id() {
        assert_eq!(synthetic_task(7), synthetic_task(7));
        assert_ne!(synthetic_task(7), synthetic_task(8));
        let value: serde_json::Value = serde_json::from_slice(&synthetic_task(-3)).expect("json");
        assert_eq!(value["data"]["task_id"], -3);
        assert_eq!(value["code"], 0);
        let range: serde_json::Value = serde_json::from_str(
            value["data"]["filter_range_info"]["range_info"]
                .as_str()
                .expect("range_info is a string"),
        )
        .expect("range_info is JSON");
        assert_eq!(range["sex"], "ALL");
    }
}
