"""Bilingual (English and Simplified Chinese) text of the `kms-contract` command line."""

from __future__ import annotations

from mock_server.i18n import Catalogue, translate

MESSAGES: Catalogue = {
    "cli.help": {
        "en": "Check that a KMS server honours the extended KMS contract.",
        "zh-CN": "检查 KMS 服务是否遵守扩展后的 KMS 接口契约。",
    },
    "run.help": {
        "en": "Run the contract suite and write results.json, junit.xml and the gap reports.",
        "zh-CN": "运行契约测试，并生成 results.json、junit.xml 和差距报告。",
    },
    "report.help": {
        "en": "Render the reports and junit.xml again from a results.json, without re-running the suite.",
        "zh-CN": "根据已有的 results.json 重新生成报告和 junit.xml，不重新运行测试。",
    },
    "report.written": {"en": "Wrote {files} to {folder}", "zh-CN": "已将 {files} 写入 {folder}"},
    "opt.url": {
        "en": "Base URL of the server to test. Without it the in-process mock is tested.",
        "zh-CN": "被测服务的基础 URL。省略时测试进程内的 Mock。",
    },
    "opt.view": {
        "en": "Contract to check: extended (every operation) or live (operations the live KMS has).",
        "zh-CN": "要检查的契约：extended（全部接口）或 live（线上 KMS 已有的接口）。",
    },
    "opt.allow_writes": {
        "en": "Allow POST, PUT and DELETE against a non-loopback server (test data is created there).",
        "zh-CN": "允许对非本机回环地址的服务发送 POST、PUT、DELETE（会在该服务上创建测试数据）。",
    },
    "opt.max_examples": {
        "en": "Generated requests per operation and mode (positive, negative).",
        "zh-CN": "每个接口在每种模式（正向、反向）下生成的请求数。",
    },
    "opt.seed": {
        "en": "Random seed. Against the in-process mock the same seed sends the same requests; "
        "against --url the ids get a fresh random prefix on every run, so they never collide with "
        "an earlier run's data.",
        "zh-CN": "随机种子。针对进程内 Mock 时，相同的种子发送相同的请求；指定 --url 时，"
        "所建数据的 ID 每次使用新的随机前缀，以免与之前运行留下的数据冲突。",
    },
    "opt.header": {
        "en": "Header sent with every request, as NAME:VALUE (repeatable), e.g. for credentials.",
        "zh-CN": "每个请求都携带的请求头，格式为 NAME:VALUE（可重复），例如用于认证。",
    },
    "opt.report_dir": {
        "en": "Folder for results.json, junit.xml and the reports.",
        "zh-CN": "存放 results.json、junit.xml 和报告的目录。",
    },
    "opt.lang": {
        "en": "Language of messages and help: en or zh-CN (default from LANG).",
        "zh-CN": "提示与帮助的语言：en 或 zh-CN（默认取自 LANG）。",
    },
    "opt.gaps_ok": {
        "en": "Exit 0 when the only findings are missing operations.",
        "zh-CN": "若只发现缺失的接口，则以 0 退出。",
    },
    "opt.out": {
        "en": "Folder for the rendered reports (default: the folder of RESULTS).",
        "zh-CN": "报告输出目录（默认：RESULTS 所在目录）。",
    },
    "progress.testing": {"en": "Testing {stage}", "zh-CN": "正在测试 {stage}"},
    "table.title": {
        "en": "KMS contract: {target} ({view} view)",
        "zh-CN": "KMS 契约：{target}（{view} 视图）",
    },
    "table.operation": {"en": "Operation", "zh-CN": "接口"},
    "table.availability": {"en": "Availability", "zh-CN": "可用性"},
    "table.state": {"en": "State", "zh-CN": "状态"},
    "table.tests": {"en": "Tests", "zh-CN": "测试数"},
    "table.note": {"en": "Note", "zh-CN": "说明"},
    "state.conforms": {"en": "conforms", "zh-CN": "符合"},
    "state.violates": {"en": "violates", "zh-CN": "违反"},
    "state.missing": {"en": "missing", "zh-CN": "缺失"},
    "state.not_tested": {"en": "not tested", "zh-CN": "未测试"},
    "note.conforms": {"en": "Every check passed.", "zh-CN": "所有检查均通过。"},
    "note.violates": {"en": "Violations found.", "zh-CN": "发现违反契约之处。"},
    "note.missing": {
        "en": "The target lacks this operation.",
        "zh-CN": "目标服务缺少此接口（判断依据见 results.json 中的 reason）。",
    },
    "note.not_tested": {
        "en": "Not tested.",
        "zh-CN": "未测试（原因见 results.json 中的 reason）。",
    },
    "verdict.holds": {"en": "The contract holds.", "zh-CN": "契约成立。"},
    "verdict.violations": {"en": "Violations found.", "zh-CN": "发现违反契约之处。"},
    "verdict.gaps_only": {
        "en": "Only gaps: some operations are missing, nothing violates.",
        "zh-CN": "只有差距：部分接口缺失，没有违反契约之处。",
    },
    "verdict.could_not_run": {"en": "Nothing could be tested.", "zh-CN": "没有任何测试得以执行。"},
    "summary.scenarios": {
        "en": "Scenarios: {passed} passed, {failed} failed, {skipped} skipped.",
        "zh-CN": "场景测试：{passed} 个通过，{failed} 个失败，{skipped} 个跳过。",
    },
    "summary.leftovers": {
        "en": "{count} created resource(s) could not be deleted; see results.json leftovers.",
        "zh-CN": "有 {count} 个创建的资源无法删除，详见 results.json 的 leftovers。",
    },
    "summary.written": {"en": "Results written to {path}", "zh-CN": "结果已写入 {path}"},
    "summary.mock_log": {
        "en": "The in-process mock's log (webhook deliveries, retries) is in {path}",
        "zh-CN": "进程内 Mock 的日志（webhook 投递与重试）见 {path}",
    },
    "summary.exit": {"en": "Exit code {code}.", "zh-CN": "退出码 {code}。"},
    "reports.absent": {
        "en": "Reports were not rendered: the reports package is not available ({error}). "
        "results.json and junit.xml are written; render later with `kms-contract report`.",
        "zh-CN": "未生成报告：reports 包不可用（{error}）。results.json 和 junit.xml 已写入，"
        "之后可用 `kms-contract report` 生成报告。",
    },
    "reports.failed": {
        "en": "Reports were not rendered: the renderer failed ({error}). results.json and junit.xml are "
        "written; render again later with `kms-contract report`.",
        "zh-CN": "未生成报告：报告渲染出错（{error}）。results.json 和 junit.xml 已写入，"
        "之后可用 `kms-contract report` 重新生成。",
    },
    "error.headline": {"en": "Error: {detail}", "zh-CN": "错误：{detail}"},
    "error.tip.usage": {
        "en": "Tip: run `kms-contract {command} --help` for the options.",
        "zh-CN": "提示：运行 `kms-contract {command} --help` 查看可用选项。",
    },
    "error.tip.run": {
        "en": "Tip: check the --url and that the server answers, then run again.",
        "zh-CN": "提示：请检查 --url 是否正确、服务是否可访问，然后重试。",
    },
    "error.not_kms.not_json": {
        "en": "{url} does not look like a KMS: {probed} got {answer}, which is not JSON.",
        "zh-CN": "{url} 看起来不是 KMS：对 {probed} 的请求返回了 {answer}，不是 JSON。",
    },
    "error.not_kms.no_kms_paths": {
        "en": "{url} does not look like a KMS: its {probed} lists none of the contract's paths.",
        "zh-CN": "{url} 看起来不是 KMS：其 {probed} 中没有契约定义的任何路径。",
    },
    "error.tip.not_kms": {
        "en": "Tip: check that --url is the base URL of the KMS, "
        "the address its /organizations/ route is under.",
        "zh-CN": "提示：请确认 --url 是 KMS 的根地址，即 /organizations/ 路由所在的地址。",
    },
    "error.internal": {
        "en": "Internal error of kms-contract: {detail}. The traceback is above; "
        "please report it together with the command you ran.",
        "zh-CN": "kms-contract 内部错误：{detail}。错误堆栈见上方，请连同所执行的命令一起反馈。",
    },
    "error.header": {
        "en": "--header {value!r} is not NAME:VALUE; write for example --header 'Authorization: Bearer abc'",
        "zh-CN": "--header {value!r} 不是 NAME:VALUE 格式；例如 --header 'Authorization: Bearer abc'",
    },
    "error.report_dir.empty": {
        "en": "--report-dir is empty; pass a folder, e.g. --report-dir reports/out",
        "zh-CN": "--report-dir 为空；请指定一个目录，例如 --report-dir reports/out",
    },
    "error.report_dir.file": {
        "en": "--report-dir {path!r} is a file, not a folder; pass a folder path",
        "zh-CN": "--report-dir {path!r} 是文件而不是目录；请指定一个目录",
    },
    "error.report_dir.unwritable": {
        "en": "--report-dir {path!r} cannot be written ({detail}); pass a folder you may write to",
        "zh-CN": "无法写入 --report-dir {path!r}（{detail}）；请指定一个有写权限的目录",
    },
    "error.url_port": {
        "en": "--url {url!r} has an invalid port; use a port from 1 to 65535, e.g. http://127.0.0.1:3090",
        "zh-CN": "--url {url!r} 的端口无效；端口须在 1 到 65535 之间，例如 http://127.0.0.1:3090",
    },
    "error.results": {
        "en": "{path} is not a results.json of kms-contract: {detail}",
        "zh-CN": "{path} 不是 kms-contract 生成的 results.json：{detail}",
    },
}


def message(key: str, lang: str, **values: object) -> str:
    """Return message `key` in `lang`."""
    return translate(MESSAGES, key, lang, **values)
