#!/usr/bin/env python3
"""Writes the jinja2 reference renders that ChatTemplate is tested against.

Run from the repository root (needs Jinja2 3.1.x):
    python3 glm4j-core/src/test/resources/io/glm4j/chat/generate_jinja2_references.py

Outputs, beside this script:
  heldout_renders.json  GLM-4.5's own template (read in place from ../shared) rendered for chat
                        requests that chat_examples.json does not cover.
  jinja2_cases.json     small templates exercising the jinja2 / Python behaviour chat templates
                        lean on (whitespace control, str methods, tojson, printing of values).

The environment is the one Hugging Face's apply_chat_template builds: an immutable sandbox with
trim_blocks and lstrip_blocks, loop controls, and tojson = json.dumps(ensure_ascii=False, ...).
Requests are prepared the way vLLM prepares them before rendering: null content becomes "",
tool-call arguments given as a JSON string are decoded, and missing, empty, malformed or
non-object arguments become {}.
"""
import copy
import json
import pathlib

import jinja2
from jinja2.ext import loopcontrols
from jinja2.sandbox import ImmutableSandboxedEnvironment

HERE = pathlib.Path(__file__).resolve().parent
TEMPLATE = pathlib.Path("../shared/reference/glm45/chat_template.jinja")


def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
    return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)


def environment():
    env = ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True, extensions=[loopcontrols])
    env.filters["tojson"] = tojson
    return env


def prepare_messages(messages):
    messages = copy.deepcopy(messages)
    for m in messages:
        if m.get("content") is None:
            m["content"] = ""
        for tc in m.get("tool_calls") or []:
            function = tc.get("function") or {}
            args = function.get("arguments")
            if isinstance(args, str):
                try:
                    args = json.loads(args) if args else None
                except json.JSONDecodeError:
                    args = None
            function["arguments"] = args if isinstance(args, dict) else {}
    return messages


def render_request(template, request):
    return template.render(
        messages=prepare_messages(request["messages"]),
        tools=request.get("tools"),
        add_generation_prompt=request.get("add_generation_prompt", True),
        **request.get("chat_template_kwargs", {}),
    )


def fn(name, description, properties, required=None):
    params = {"type": "object", "properties": properties}
    if required is not None:
        params["required"] = required
    return {"type": "function", "function": {"name": name, "description": description, "parameters": params}}


WEATHER = fn("get_weather", "Get current weather for a city",
             {"city": {"type": "string", "description": "City name"}, "days": {"type": "integer"}}, ["city"])
SEARCH = fn("search_docs", "Sök i dokumenten — 検索 📚",
            {"query": {"type": "string"},
             "filters": {"type": "object", "properties": {
                 "tags": {"type": "array", "items": {"type": "string", "enum": ["a", "b\"c", "d\\e"]}},
                 "date_range": {"type": "object", "properties": {
                     "from": {"type": "string", "format": "date"}, "to": {"type": ["string", "null"]}}},
                 "min_score": {"type": "number", "minimum": 0.0, "maximum": 1e-7, "default": 0.5}}},
             "limit": {"type": "integer", "default": 10, "maximum": 12345678901234567890}},
            ["query"])
WRITE = fn("write_file", "Write text to a file.\nOverwrites <existing> files & \"quotes\".",
           {"path": {"type": "string"}, "content": {"type": "string"}, "append": {"type": "boolean"},
            "mode": {"anyOf": [{"type": "integer"}, {"type": "null"}], "default": None}}, ["path", "content"])
NO_PARAMS = {"type": "function", "function": {"name": "now", "description": "", "parameters": {}}}

SYSTEM = {"role": "system", "content": "You are a helpful assistant."}


def user(text):
    return {"role": "user", "content": text}


def assistant(content, **extra):
    return {"role": "assistant", "content": content, **extra}


def call(name, arguments, call_id=None):
    tc = {"type": "function", "function": {"name": name, "arguments": arguments}}
    if call_id:
        tc["id"] = call_id
    return tc


def tool(content, call_id=None):
    m = {"role": "tool", "content": content}
    if call_id:
        m["tool_call_id"] = call_id
    return m


HELD_OUT = [
    ("nested_unicode_tool_schemas", {"messages": [user("Find docs tagged a")], "tools": [SEARCH, WRITE, NO_PARAMS]}),
    ("tools_with_system_and_no_thinking", {"messages": [SYSTEM, user("Weather?")], "tools": [WEATHER],
                                           "chat_template_kwargs": {"enable_thinking": False}}),
    ("empty_tools_list_is_no_tools", {"messages": [user("hi")], "tools": []}),
    ("tool_loop_arguments_as_json_string", {"messages": [
        user("Weather in Oslo for 3 days?"),
        assistant(None, reasoning_content="Need the tool.", tool_calls=[
            call("get_weather", "{\"city\": \"Oslo\", \"days\": 3}", "call_1")]),
        tool("{\"temp_c\": -2, \"sky\": \"snow\"}", "call_1")], "tools": [WEATHER]}),
    ("tool_loop_mixed_string_and_object_arguments", {"messages": [
        user("Compare Paris and Rome"),
        assistant("", tool_calls=[call("get_weather", {"city": "Paris"}, "a"),
                                  call("get_weather", "{\"city\":\"Rome\",\"days\":2}", "b")]),
        tool("18C", "a"), tool("25C", "b"),
        assistant("Paris 18C, Rome 25C.", reasoning_content="Both fetched."),
        user("And Berlin?"),
        assistant(None, tool_calls=[call("get_weather", "{\"city\": \"Berlin\"}")]),
        tool("12C")], "tools": [WEATHER]}),
    ("arguments_with_quotes_backslashes_newlines", {"messages": [
        user("write it"),
        assistant("Writing.", tool_calls=[call("write_file", {
            "path": "C:\\Users\\me\\\"odd\".txt", "content": "line1\nline2\t\"q\" \\n literal </arg_value>",
            "append": False, "mode": None})])], "tools": [WRITE], "add_generation_prompt": False}),
    ("argument_string_with_escapes_decoded", {"messages": [
        user("x"),
        assistant("", tool_calls=[call("write_file",
                                       "{\"path\": \"caf\\u00e9/\\ud83d\\ude00.txt\", \"content\": \"a\\\\b\\\"c\\u0001\"}")])],
        "add_generation_prompt": False}),
    ("argument_values_of_every_json_type", {"messages": [
        user("types"),
        assistant("", tool_calls=[call("search_docs", {
            "query": "ünïcödé 中文", "limit": 3, "ratio": 0.1, "tiny": 1e-7, "huge": 1e16, "whole": 3.0,
            "big": 123456789012345678901234567890, "neg": -0.0, "flag": True, "none": None,
            "tags": ["a", 1, 2.5, None, True, {"k": "v"}], "nested": {"ключ": {"深": [1, {"x": "y"}]}},
            "empty_obj": {}, "empty_list": []})])], "add_generation_prompt": False}),
    ("malformed_empty_null_and_array_arguments", {"messages": [
        user("odd args"),
        assistant("", tool_calls=[call("now", "{not json"), call("now", ""), call("now", None),
                                  call("now", "[1, 2]"), call("now", "{}")])],
        "tools": [NO_PARAMS]}),
    ("reasoning_after_last_user_kept_and_stripped", {"messages": [
        user("Plan a trip"),
        assistant("\n\nI'll check the weather.\n", reasoning_content="\n  First, weather.  \n\n",
                  tool_calls=[call("get_weather", {"city": "Lyon"})]),
        tool("sunny"),
        assistant("  Go on Tuesday.  ", reasoning_content="Sunny all week.")],
        "add_generation_prompt": False}),
    ("reasoning_before_last_user_dropped", {"messages": [
        user("Q1"), assistant("A1", reasoning_content="R1"), user("Q2"), assistant("A2", reasoning_content="R2"),
        user("Q3")]}),
    ("inline_think_in_content_after_last_user", {"messages": [
        user("Q"), assistant("<think>\n\nhidden reasoning\n</think>\n\nVisible answer")],
        "add_generation_prompt": False}),
    ("inline_think_and_reasoning_content_both", {"messages": [
        user("Q"), assistant("<think>inline</think>answer", reasoning_content="field")],
        "add_generation_prompt": False}),
    ("inline_think_with_multiple_blocks", {"messages": [
        user("Q"), assistant("pre<think>a</think>mid<think>b</think>\n\nend")], "add_generation_prompt": False}),
    ("empty_reasoning_content_after_last_user", {"messages": [
        user("Q"), assistant("answer", reasoning_content="")], "add_generation_prompt": False}),
    ("content_part_lists_everywhere", {"messages": [
        {"role": "system", "content": [{"type": "text", "text": "Sys A. "}, {"type": "text", "text": "Sys B."}]},
        {"role": "user", "content": [{"type": "text", "text": "Look: "},
                                     {"type": "image_url", "image_url": {"url": "http://x/y.png"}},
                                     {"type": "text", "text": "what is it?"}]},
        {"role": "assistant", "content": [{"type": "text", "text": "A cat."}]},
        {"role": "user", "content": []}]}),
    ("content_part_list_ending_in_nothink_no_thinking", {"messages": [
        {"role": "user", "content": [{"type": "text", "text": "Quick "}, {"type": "text", "text": "answer /nothink"}]}],
        "chat_template_kwargs": {"enable_thinking": False}}),
    ("tool_content_as_part_list_prints_python_repr", {"messages": [
        user("go"), assistant("", tool_calls=[call("now", {})]),
        tool([{"type": "text", "text": "it's 5 o'clock"}, {"output": "with output key"}, "plain 'str'"])]}),
    ("enable_thinking_true_explicit", {"messages": [user("hi"), assistant("hello"), user("bye")],
                                       "chat_template_kwargs": {"enable_thinking": True}}),
    ("enable_thinking_false_multi_turn_with_tools", {"messages": [
        SYSTEM, user("Weather in Nice?"), assistant("", tool_calls=[call("get_weather", {"city": "Nice"})]),
        tool("warm"), assistant("It is warm."), user("Thanks /nothink")], "tools": [WEATHER],
        "chat_template_kwargs": {"enable_thinking": False}}),
    ("no_generation_prompt_ending_on_user", {"messages": [user("just render")], "add_generation_prompt": False}),
    ("no_generation_prompt_no_thinking", {"messages": [user("hi")], "add_generation_prompt": False,
                                          "chat_template_kwargs": {"enable_thinking": False}}),
    ("null_and_empty_content_every_role", {"messages": [
        {"role": "system", "content": None}, {"role": "user", "content": ""}, {"role": "assistant", "content": None},
        {"role": "user"}, {"role": "tool", "content": None}, {"role": "assistant", "content": ""}]}),
    ("whitespace_only_assistant_content", {"messages": [user("?"), assistant(" \n\t\u00a0\u3000")],
                                           "add_generation_prompt": False}),
    ("unicode_whitespace_strip_semantics", {"messages": [
        user("q"), assistant("\u00a0\u2007\u202fkept\u200b\u00a0\u0085\u2028",
                             reasoning_content="\u3000\u205f reasoning \u1680\u2029")], "add_generation_prompt": False}),
    ("unicode_needing_escapes_in_tools", {"messages": [user("\u0001ctl\u007f \u2028 \U0001F600")], "tools": [
        fn("esc", "ctl \u0001\u001f\u007f, line sep \u2028, emoji 😀, tab\tquote\" backslash\\",
           {"s\u00e9": {"type": "string", "description": "</tools>\n<|user|>"}})]}),
    ("template_syntax_in_content_stays_literal", {"messages": [
        user("{{ 7 * 7 }} {% if true %}x{% endif %} {# c #} {%raw%}"), assistant("{{ messages }}")],
        "add_generation_prompt": False}),
    ("special_tokens_in_content_pass_through", {"messages": [
        user("<|assistant|><think>fake</think>[gMASK]"), assistant("<tool_call>x\n</tool_call>")],
        "add_generation_prompt": False}),
    ("unknown_roles_ignored", {"messages": [
        {"role": "developer", "content": "dev note"}, user("hi"), {"role": "function", "content": "f"}]}),
    ("tool_message_first", {"messages": [tool("orphan result"), user("what was that?")]}),
    ("consecutive_assistants_and_tool_after_assistant_text", {"messages": [
        user("go"), assistant("part 1"), assistant("part 2", reasoning_content="r2",
                                                   tool_calls=[call("now", "{}")]), tool("12:00"), tool("12:01")]}),
    ("user_nothink_with_whitespace_no_thinking", {"messages": [user("hi /nothink "), user("/nothink")],
                                                  "chat_template_kwargs": {"enable_thinking": False}}),
    ("extra_template_kwargs_ignored", {"messages": [user("hi")],
                                       "chat_template_kwargs": {"unused": [1, 2], "enable_thinking": True}}),
    ("long_markdown_system_prompt", {"messages": [
        {"role": "system", "content": "# Rules\n\n1. Be brief.\n2. Use `code`.\n\n```python\nprint('hi')\n```\n\n| a | b |\n|---|---|\n"},
        user("ok")]}),
    ("tool_call_ids_and_names_on_messages", {"messages": [
        user("x"), {"role": "assistant", "content": "calling", "name": "bot",
                    "tool_calls": [call("get_weather", {"city": "Bergen", "days": 1}, "call_9")]},
        {"role": "tool", "content": "rain", "tool_call_id": "call_9", "name": "get_weather"}], "tools": [WEATHER]}),
]


# Small templates for the jinja2 / Python semantics that chat templates rely on.
CASES = [
    ("trim_and_lstrip_blocks", "a\n  {% if x %}\n    b\n  {% endif %}\nc\n", {"x": True}),
    ("minus_markers_strip_all_whitespace", "a  \n {{- x -}} \n\n b {%- if x -%} \n c {%- endif %}\n d", {"x": 1}),
    ("plus_disables_lstrip_and_trim", "a\n  {%+ if x +%}\nb\n  {%+ endif %}\nc", {"x": True}),
    ("variable_tags_not_lstripped", "a\n  {{ x }}\n  {{ x }}  \nb", {"x": "v"}),
    ("comments_follow_block_rules", "a\n  {# note #}\nb {#- c -#}  c\n\t{# tabbed #}\nd", {}),
    ("lstrip_only_when_rest_of_line_blank", "x {% if 1 %}y{% endif %}\n  z {% if 1 %}w\n{% endif %}", {}),
    ("lstrip_at_template_start", "  \t{% if 1 %}x{% endif %}  {% if 1 %}y{% endif %}", {}),
    ("minus_strips_unicode_whitespace", "a\u00a0\u3000 {{- 'b' -}} \u2028\u0085c", {}),
    ("loop_controls", "{% for x in xs %}{% if x > 2 %}{% break %}{% endif %}{{ x }}{% endfor %}"
                      "|{% for x in xs %}{% if x == 2 %}{% continue %}{% endif %}{{ x }}{% endfor %}", {"xs": [1, 2, 3, 4]}),
    ("trailing_newline_dropped_once", "a{% if 1 %}\nb\n{% endif %}\n\n", {}),
    ("crlf_normalized", "a\r\n{% if 1 %}\r\nb\r\n{% endif %}\r\nc\rd", {}),
    ("string_with_tag_end_inside", "{{ '%}' ~ \"}}\" -}}  \n{% set s = '{% x %}' %}{{ s }}", {}),
    ("dict_literal_braces_in_expression", "{{ {'a': {'b': 1}}['a']['b'] }}|{% set d = {'k': [1, {'z': 2}]} %}{{ d.k[1].z }}", {}),
    ("raw_block", "{% raw %}{{ not rendered }}{% endraw %}\n  {%- raw -%}  \n{% x %}  {%- endraw %}\nafter", {}),
    ("split_python_semantics",
     "{{ s.split(',') | tojson }}|{{ s.split(',', 1) | tojson }}|{{ w.split() | tojson }}|{{ w.split(none, 1) | tojson }}"
     "|{{ s.rsplit(',', 1) | tojson }}|{{ w.rsplit(none, 1) | tojson }}|{{ ''.split(',') | tojson }}|{{ ''.split() | tojson }}",
     {"s": "a,,b,c,,", "w": "  one two\u00a0 three\u3000\n"}),
    ("split_with_multichar_separator_and_negative_index",
     "{{ t.split('</think>')[0] }}|{{ t.split('</think>')[-1] }}|{{ t.split('<think>')[-1] }}",
     {"t": "<think>r1</think>mid</think>end"}),
    ("strip_family",
     "[{{ s.strip() }}][{{ s.lstrip() }}][{{ s.rstrip() }}][{{ 'xxhixyx'.strip('xy') }}][{{ z.strip() }}]"
     "[{{ n.rstrip('\\n') }}][{{ n.lstrip('\\n') }}]",
     {"s": "\u00a0\u2007 \t mid \u202f\u3000\u0085\n", "z": "\u200bzero-width\u200b", "n": "\n\nline\n\n"}),
    ("startswith_endswith", "{{ s.startswith('ab') }}{{ s.endswith('yz') }}{{ s.endswith('/nothink') }}"
                            "{{ s.startswith(('q', 'a')) }}{{ s.endswith('') }}", {"s": "abc xyz"}),
    ("upper_lower", "{{ s.upper() }} {{ s.lower() }}", {"s": "Straße Ünï"}),
    ("tojson_defaults", "{{ v | tojson }}", {"v": {"b": [1, 2.5, None, True, False], "a": "é\"\\\n\t\u0001\u007f\u2028😀",
                                                   "n": {"x": {}}, "l": [], "f": [0.1, 1e-7, 1e16, 1e15, 123.0, -0.0, 1e300]}}),
    ("tojson_ensure_ascii_and_indent", "{{ v | tojson(ensure_ascii=True) }}\n{{ v | tojson(indent=2) }}\n{{ v | tojson(indent=2, sort_keys=True) }}",
     {"v": {"z": "é😀\u007f", "a": [1, {"k": []}], "m": {}}}),
    ("tojson_separators", "{{ v | tojson(separators=[',', ':']) }}", {"v": {"a": [1, 2], "b": "c"}}),
    ("printing_values_like_python", "{{ t }} {{ f }} {{ i }} {{ x }} {{ l }} {{ d }} {{ e }} {{ q }}",
     {"t": True, "f": False, "i": 42, "x": 0.00001, "l": [1, "a'b", None, 2.0, True], "d": {"k": "v", "n": None},
      "e": 1e16, "q": "it's \"both\""}),
    ("printing_floats", "{% for x in xs %}{{ x }} {% endfor %}",
     {"xs": [0.1, 0.30000000000000004, 1e-4, 1e-5, 123456789012345.6, 1234567890123456.0, 1e16, 1.5e300, 5e-324, 2.5, 100.0]}),
    ("tests_string_mapping_iterable",
     "{% for v in vs %}{{ v is string }}{{ v is mapping }}{{ v is iterable }}{{ v is iterable and v is not mapping }};{% endfor %}",
     {"vs": ["s", {"a": 1}, [1], 3, None, True]}),
    ("items_namespace_loop_macro",
     "{%- macro show(k, v) -%}<{{ k }}={{ v }}>{%- endmacro -%}\n"
     "{%- set ns = namespace(last=-1, n=0) %}\n"
     "{%- for k, v in d.items() %}\n"
     "  {%- set ns.last = loop.index0 %}{% set ns.n = ns.n + 1 %}\n"
     "{{ show(k, v) }}{{ '|' if not loop.last }}\n"
     "{%- endfor %}\n"
     "{{ ns.last }} {{ ns.n }} {{ show('a', 'b').endswith('b>') }}",
     {"d": {"z": 1, "a": [1, 2], "m": "x"}}),
    ("membership_and_concatenation", "{{ '</think>' in s }}{{ 'zz' in s }}{{ '\\n<think>' + s.strip() + '</think>' }}",
     {"s": " r</think> "}),
    ("loop_first_and_previous_element", "{% for m in ms %}{% if loop.first or ms[loop.index0 - 1].role != m.role %}[{{ m.role }}]{% endif %}{{ m.c }}{% endfor %}",
     {"ms": [{"role": "a", "c": 1}, {"role": "a", "c": 2}, {"role": "b", "c": 3}, {"role": "a", "c": 4}]}),
    ("conditional_expression_and_defined",
     "{{ 'yes' if (flag is defined and not flag) else 'no' }}{{ 'u' if missing is defined else 'd' }}",
     {"flag": False}),
]


def main():
    env = environment()
    template = env.from_string(TEMPLATE.read_text(encoding="utf-8"))
    held_out = []
    for name, request in HELD_OUT:
        held_out.append({"name": name, "request": request, "rendered": render_request(template, request)})
    cases = []
    for name, source, variables in CASES:
        cases.append({"name": name, "template": source, "variables": variables,
                      "rendered": env.from_string(source).render(**variables)})
    write(HERE / "heldout_renders.json", held_out)
    write(HERE / "jinja2_cases.json", cases)
    print(f"{len(held_out)} held-out renders, {len(cases)} jinja2 cases (jinja2 {jinja2.__version__})")


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
