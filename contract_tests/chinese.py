"""Simplified Chinese forms of the reasons and messages the runner writes into results.json.

The runner builds its sentences in English from a small set of patterns. Each pattern here
pairs the English sentence with its Chinese form, so results.json can carry both (`reason`
and `reason_zh`, `message` and `message_zh`) and the Chinese report needs no English.
A sentence that matches no pattern, such as a check's own message, is returned unchanged.
NOTE: a reworded English sentence silently falls back to English until its pattern is updated;
tests/test_contract_chinese.py catches that for the sentences a default run produces.
"""

from __future__ import annotations

import re

# (English pattern, Chinese template); the template's fields are the pattern's named groups.
PATTERNS: tuple[tuple[str, str], ...] = (
    (r"Listed in the target's /openapi\.json\.", "目标服务的 /openapi.json 中列出了该接口。"),
    (
        r"The target's /openapi\.json does not list (?P<op>.+)\.",
        "目标服务的 /openapi.json 中没有列出 {op}。",
    ),
    (
        r"Not probed: the target is remote and writes are off \(--allow-writes\)\.",
        "未探测：目标服务是远程服务，且未允许写操作（--allow-writes）。",
    ),
    (
        r"Probe (?P<op>.+) got (?P<answer>.+), FastAPI's answer for an unknown route\.",
        "探测请求 {op} 返回 {answer}，这是 FastAPI 对未知路由的响应。",
    ),
    (
        r"Probe (?P<op>.+) got (?P<status>\d+), an answer of an existing route\.",
        "探测请求 {op} 返回 {status}，说明该路由存在。",
    ),
    (
        r"Not tested: the target is remote and writes are off \(--allow-writes\)\.",
        "未测试：目标服务是远程服务，且未允许写操作（--allow-writes）。",
    ),
    (
        r"(?P<count>\d+) distinct failure\(s\) across (?P<tests>\d+) test\(s\)\. "
        r"The test tools then failed: (?P<error>.+)\.",
        "在 {tests} 个测试中发现 {count} 种不同的失败，随后测试工具出错：{error}。",
    ),
    (
        r"(?P<count>\d+) distinct failure\(s\) across (?P<tests>\d+) test\(s\)\.",
        "在 {tests} 个测试中发现 {count} 种不同的失败。",
    ),
    (
        r"Not tested: the test tools failed after (?P<tests>\d+) test\(s\): (?P<error>.+)\.",
        "未测试：测试工具在执行 {tests} 个测试后出错：{error}。",
    ),
    (r"Every check passed in (?P<tests>\d+) test\(s\)\.", "{tests} 个测试中的所有检查均通过。"),
    (r"No test reached this operation\.", "没有测试覆盖到此接口。"),
    (
        r"Writes are off for this remote target \(--allow-writes\)\.",
        "该远程目标服务未允许写操作（--allow-writes）。",
    ),
    (r"Skipped: the (?P<view>\w+) view excludes (?P<ops>.+)\.", "已跳过：{view} 视图不包含 {ops}。"),
    (r"Skipped: the target lacks (?P<ops>.+)\.", "已跳过：目标服务缺少 {ops}。"),
    (
        r"Skipped: recording usage needs the mock's POST /_mock/usage, which this target lacks\.",
        "已跳过：记录用量需要 Mock 的 POST /_mock/usage 接口，而该目标服务没有此接口。",
    ),
    (
        r"Skipped: the receiver listens on loopback only, which a remote target cannot reach\.",
        "已跳过：接收端只监听本机回环地址，远程目标服务无法访问。",
    ),
    (r"Every step behaved as the contract requires\.", "每一步都符合契约要求。"),
    (
        r"(?P<op>\S+ \S+) returned (?P<status>\d+) with (?P<received>.+), expected (?P<expected>[\d or]+)\. "
        r"Reproduce: (?P<curl>.+)",
        "{op} 返回 {status}，响应为 {received}，期望 {expected}。复现命令：{curl}",
    ),
    (
        r"Stopped on an internal error (?P<error>.+) before sending any request\.",
        "因内部错误 {error} 中止，尚未发送任何请求。",
    ),
    (
        r"Stopped on an internal error (?P<error>.+) after (?P<op>\S+ \S+) returned (?P<status>\d+) "
        r"with (?P<received>.+)\. Reproduce: (?P<curl>.+)",
        "因内部错误 {error} 中止，最后一步 {op} 返回 {status}，响应为 {received}。复现命令：{curl}",
    ),
    (r"The target lacks deleteOrganization\.", "目标服务缺少 deleteOrganization 接口。"),
    (
        r"The target lacks deleteOrganization \((?P<why>.+)\)",
        "目标服务缺少 deleteOrganization 接口（{why}）",
    ),
    (r"Writes are off for this target\.", "该目标服务未允许写操作。"),
    (r"DELETE (?P<path>\S+) failed: (?P<error>\w+)\.", "DELETE {path} 失败：{error}。"),
    (r"DELETE (?P<path>\S+) answered (?P<status>\d+)\.", "DELETE {path} 返回了 {status}。"),
    (
        r"The contract has no operation that deletes a webhook endpoint\. It points at (?P<url>\S+), "
        r"the suite's loopback receiver, which stopped with the run, so the target's deliveries to it fail\.",
        "契约中没有删除 webhook 端点的接口。该端点指向 {url}，即测试套件在本机回环地址上的接收端；"
        "接收端已随本次运行停止，因此目标服务向它的投递都会失败。",
    ),
)
COMPILED = tuple((re.compile(pattern, re.DOTALL), template) for pattern, template in PATTERNS)
# Fields that hold another runner sentence, translated in turn.
NESTED_FIELDS = ("why",)


def to_chinese(text: str) -> str:
    """Return the Chinese form of a runner sentence, or `text` itself when no pattern matches."""
    for pattern, template in COMPILED:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        fields = match.groupdict()
        for name in NESTED_FIELDS:
            if name in fields:
                fields[name] = to_chinese(fields[name]).rstrip("。")
        return template.format(**fields)
    return text
