"""Help text and messages of `kms-mock`, in English and Simplified Chinese."""

from __future__ import annotations

from mock_server.i18n import Catalogue

MESSAGES: Catalogue = {
    "command_help": {
        "en": "Run a local mock of the KMS, driven by its OpenAPI contract. "
        "Every option can also be set with a KMS_MOCK_* environment variable "
        "(for example KMS_MOCK_PORT=3091); options win over the environment.",
        "zh-CN": "启动本地 KMS 模拟服务，其行为由 OpenAPI 契约驱动。"
        "每个选项也可以通过 KMS_MOCK_* 环境变量设置（例如 KMS_MOCK_PORT=3091），"
        "命令行选项优先于环境变量。",
    },
    "host_help": {
        "en": "Address to listen on. [default: 127.0.0.1]",
        "zh-CN": "监听地址。默认为 127.0.0.1。",
    },
    "port_help": {
        "en": "TCP port to listen on; 0 picks a free port. [default: 3090]",
        "zh-CN": "监听的 TCP 端口；设为 0 时自动选择空闲端口。默认为 3090。",
    },
    "profile_help": {
        "en": "Operations to serve: 'extended' serves the whole contract, "
        "'live' only what the live KMS has today. [default: extended]",
        "zh-CN": "要提供的接口范围：extended 提供完整契约，live 只提供线上 KMS 现有的接口。默认为 extended。",
    },
    "state_file_help": {
        "en": "SQLite file that keeps the state across restarts. [default: in memory only]",
        "zh-CN": "用于在重启之间保存状态的 SQLite 文件。默认只保存在内存中。",
    },
    "fixtures_help": {
        "en": "JSON or YAML fixture document loaded at startup into an empty store. "
        "When --state-file already contains data, the fixtures are skipped, "
        "so a restart keeps the saved state.",
        "zh-CN": "启动时加载的 JSON 或 YAML 测试数据文件，只在状态为空时加载。"
        "如果 --state-file 中已有数据，则跳过这些测试数据，重启后保留已保存的状态。",
    },
    "strict_help": {
        "en": "Check every response against the spec; a mismatch becomes a 500 that names the rule.",
        "zh-CN": "按契约校验每个响应；不符合时返回 500，并指明违反的规则。",
    },
    "help_option_help": {
        "en": "Show this help and exit.",
        "zh-CN": "显示此帮助信息并退出。",
    },
    "lang_help": {
        "en": "Language of help text and messages. [default: from LANG, else en]",
        "zh-CN": "帮助和提示信息的语言。默认取自 LANG 环境变量，否则为 en。",
    },
    "log_level_help": {
        "en": "Lowest level of log lines to show. [default: info]",
        "zh-CN": "显示的最低日志级别。默认为 info。",
    },
    "invalid_setting": {
        "en": "{error}",
        "zh-CN": "设置无效：{error}",
    },
    "state_file_error": {
        "en": "Error: {error}",
        "zh-CN": "错误：状态文件 {path} 无法使用（{reason}）。"
        "请换一个 --state-file 路径，或把该文件移走后以空状态启动。",
    },
    "fixtures_error": {
        "en": "Error: fixture file {path} cannot be loaded: {reason}. "
        "Fix the file or start without --fixtures.",
        "zh-CN": "错误：无法加载测试数据文件 {path}：{reason}。请修正该文件，或去掉 --fixtures 后启动。",
    },
    # "\b" starts a paragraph that click prints without rewrapping, so the format,
    # field names and examples keep their lines whatever the terminal width.
    "fault_help": {
        "en": "Inject a fault. Repeatable; applied over --faults-file. Format:\n\n"
        "\b\n[OPERATION_ID:]FIELD[=VALUE][,...]\n\n"
        "Fields:\n\n"
        "\b\nlatency_ms, error_rate, error_status,\ndrop_rate, spend_unavailable, health_degraded\n\n"
        "Examples:\n\n"
        "\b\ngetTeamSpend:latency_ms=100-400\nerror_rate=0.3,error_status=500",
        "zh-CN": "注入故障。可重复使用，在 --faults-file 之后生效。格式：\n\n"
        "\b\n[OPERATION_ID:]字段[=值][,...]\n\n"
        "可用字段：\n\n"
        "\b\nlatency_ms, error_rate, error_status,\ndrop_rate, spend_unavailable, health_degraded\n\n"
        "示例：\n\n"
        "\b\ngetTeamSpend:latency_ms=100-400\nerror_rate=0.3,error_status=500",
    },
    "faults_file_help": {
        "en": "YAML or JSON fault document (the FaultConfig shape of PUT /_mock/faults) loaded at startup.",
        "zh-CN": "启动时加载的 YAML 或 JSON 故障配置文件，格式与 PUT /_mock/faults 的 FaultConfig 相同。",
    },
    "seed_help": {
        "en": "Seed of the random choices behind error_rate, drop_rate and latency ranges. [default: 0]",
        "zh-CN": "error_rate、drop_rate 和延迟区间所用随机数的种子。默认为 0。",
    },
    "webhook_allowed_host_help": {
        "en": "Host that webhook deliveries may reach besides loopback. Repeatable.",
        "zh-CN": "除本机回环地址外，允许 webhook 投递的主机。可重复使用。",
    },
    "webhook_retry_schedule_help": {
        "en": "Seconds to wait before each retry of a failed webhook delivery, e.g. 1,2,4; "
        "each wait is shortened by up to half at random. [default: 1,2,4,8,16]",
        "zh-CN": "webhook 投递失败后每次重试前等待的秒数，用逗号分隔，例如 1,2,4 表示依次等待 1、2、4 秒。"
        "每次等待会随机缩短至多一半。"
        "默认为 1,2,4,8,16。",
    },
    "faults_error": {
        "en": "Error: invalid fault settings: {reason}. Fix --fault, --faults-file or KMS_MOCK_FAULTS.",
        "zh-CN": "错误：故障配置无效：{reason}。请修正 --fault、--faults-file 或 KMS_MOCK_FAULTS。",
    },
    "port_in_use": {
        "en": "Error: cannot listen on {host}:{port} because the address is already in use. "
        "Choose another port with --port or KMS_MOCK_PORT, or stop the process that uses it.",
        "zh-CN": "错误：无法监听 {host}:{port}，该地址已被占用。"
        "请用 --port 或 KMS_MOCK_PORT 换一个端口，或先停止占用该端口的进程。",
    },
    "cannot_listen": {
        "en": "Error: cannot listen on {host}:{port}: {reason}. Check --host and --port (or KMS_MOCK_HOST "
        "and KMS_MOCK_PORT).",
        "zh-CN": "错误：无法监听 {host}:{port}：{reason}。"
        "请检查 --host 和 --port（或 KMS_MOCK_HOST 和 KMS_MOCK_PORT）。",
    },
    "non_loopback_warning": {
        "en": "Warning: listening on {host}, so the mock is reachable from the network; "
        "use --host 127.0.0.1 to keep it local.",
        "zh-CN": "警告：正在监听 {host}，模拟服务可以从网络访问；如只需本机访问，请使用 --host 127.0.0.1。",
    },
}
