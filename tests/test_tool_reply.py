"""Reading the model's answer to an emulated request: every tolerated shape, every rule, every split point."""

from __future__ import annotations

import json
from typing import Any

import pytest

from omnigate_openai._tool_prompt import AnswerFormat, Tool, ToolChoice, answer_format, tools_of
from omnigate_openai._tool_reply import Call, Reading, ReplyRejected, ReplyRules, ReplyScanner, read_reply

WEATHER = {
    "type": "object",
    "properties": {"city": {"type": "string"}, "days": {"type": "integer", "minimum": 1}},
    "required": ["city"],
    "additionalProperties": False,
}
TOOLS, _ = tools_of(
    {
        "tools": [
            {"type": "function", "function": {"name": "get_weather", "description": "Weather", "parameters": WEATHER}},
            {"type": "function", "function": {"name": "get_time", "parameters": {"type": "object"}}},
        ]
    }
)
PERSON = {
    "type": "object",
    "properties": {"name": {"type": "string"}, "age": {"type": "integer"}},
    "required": ["name", "age"],
}
SCHEMA_FORMAT = answer_format(
    {"response_format": {"type": "json_schema", "json_schema": {"name": "person", "schema": PERSON, "strict": True}}}
)
OBJECT_FORMAT = answer_format({"response_format": {"type": "json_object"}})

AUTO = ReplyRules(TOOLS)
PARIS = Call("get_weather", '{"city":"Paris"}')
TIME = Call("get_time", "{}")


def envelope(*calls: dict[str, Any]) -> str:
    return json.dumps({"tool_calls": list(calls)})


CALL_PARIS = envelope({"name": "get_weather", "arguments": {"city": "Paris"}})


def _every_split(rules: ReplyRules, text: str, step: int = 1) -> set[object]:
    """The outcome of reading `text` streamed in two pieces, for every split point (every `step`th one:
    a long answer's every split would take seconds)."""
    outcomes: set[object] = set()
    for cut in range(0, len(text) + 1, step):
        scanner = ReplyScanner(rules)
        try:
            shown = scanner.feed(text[:cut]) + scanner.feed(text[cut:])
            rest, reading = scanner.finish()
        except ReplyRejected as exc:
            outcomes.add(("rejected", str(exc)))
            continue
        assert (reading.content or "") == shown + rest  # what was streamed is the message's content
        outcomes.add(reading)
    return outcomes


def _expect(rules: ReplyRules, text: str, expected: Reading) -> None:
    assert read_reply(rules, text) == expected
    assert _every_split(rules, text) == {expected}
    scanner = ReplyScanner(rules)  # and one character at a time
    shown = "".join(scanner.feed(char) for char in text)
    rest, reading = scanner.finish()
    assert reading == expected
    assert shown + rest == (expected.content or "")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The weather is fine.", Reading("The weather is fine.")),
        ("  \n The weather is fine. \n", Reading("The weather is fine.")),
        (CALL_PARIS, Reading(None, (PARIS,))),
        (f"\n\n{CALL_PARIS}\n", Reading(None, (PARIS,))),
        (f"```json\n{CALL_PARIS}\n```", Reading(None, (PARIS,))),
        (f"```\n{CALL_PARIS}```", Reading(None, (PARIS,))),
        (f"Let me check. {CALL_PARIS}", Reading("Let me check.", (PARIS,))),
        (f"Let me check.\n```json\n{CALL_PARIS}\n```\nOne moment.", Reading("Let me check.\n\nOne moment.", (PARIS,))),
        (f"<think>The user wants {{weather}}.</think>\n{CALL_PARIS}", Reading(None, (PARIS,))),
        ("<think>hmm</think>It is sunny.", Reading("It is sunny.")),
        (
            envelope({"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {}}),
            Reading(None, (PARIS, TIME)),
        ),
        (envelope({"name": "get_weather", "arguments": '{"city": "Paris"}'}), Reading(None, (PARIS,))),
        (envelope({"name": "get_time"}), Reading(None, (TIME,))),
        ("Use {curly} braces and `code`.", Reading("Use {curly} braces and `code`.")),
        ('A JSON example: {"a": {"b": "}"}} ok', Reading('A JSON example: {"a": {"b": "}"}} ok')),
        ("```python\nprint({1: 2})\n```", Reading("```python\nprint({1: 2})\n```")),
        ("An open brace { never closed", Reading("An open brace { never closed")),
        ("", Reading("")),
    ],
)
def test_answers_to_a_tool_request_are_read_tolerantly(text: str, expected: Reading) -> None:
    _expect(AUTO, text, expected)


@pytest.mark.parametrize(
    ("rules", "text", "problem"),
    [
        (AUTO, envelope({"name": "get_wether", "arguments": {}}), "unknown tool 'get_wether'; the tools are: get_"),
        (AUTO, envelope({"name": "get_weather", "arguments": {}}), "'city' is a required property"),
        (AUTO, envelope({"name": "get_weather", "arguments": {"city": 3}}), "3 is not of type 'string' (at city)"),
        (
            AUTO,
            envelope({"name": "get_weather", "arguments": {"city": "P", "days": 0}}),
            "0 is less than the minimum of 1 (at days)",
        ),
        (AUTO, envelope({"name": "get_weather", "arguments": "{not json"}), "arguments is not a JSON object"),
        (AUTO, envelope({"name": "get_weather", "arguments": [1]}), "arguments must be a JSON object"),
        (AUTO, envelope({"arguments": {}}), 'must be an object with a "name"'),
        (AUTO, '{"tool_calls": {"name": "get_time"}}', '"tool_calls" must be a list of calls'),
        (ReplyRules(TOOLS, ToolChoice("none")), CALL_PARIS, "No tool may be called now (tool choice: none)"),
        (ReplyRules(TOOLS, ToolChoice("required")), "It is sunny.", "You must call at least one tool now"),
        (ReplyRules(TOOLS, ToolChoice("function", "get_time")), "Hi", "You must call the tool get_time now"),
        (
            ReplyRules(TOOLS, ToolChoice("function", "get_time")),
            CALL_PARIS,
            "Only the tool get_time may be called now, not get_weather.",
        ),
        (
            ReplyRules(TOOLS, ToolChoice(parallel=False)),
            envelope({"name": "get_time", "arguments": {}}, {"name": "get_time", "arguments": {}}),
            "Call at most one tool per answer (parallel calls: no); you called 2.",
        ),
    ],
)
def test_a_broken_tool_answer_is_rejected_with_what_is_wrong(rules: ReplyRules, text: str, problem: str) -> None:
    with pytest.raises(ReplyRejected) as caught:
        read_reply(rules, text)
    assert problem in str(caught.value)
    assert _every_split(rules, text) == {("rejected", str(caught.value))}


def test_the_tool_choice_is_obeyed_when_kept() -> None:
    _expect(ReplyRules(TOOLS, ToolChoice("required")), CALL_PARIS, Reading(None, (PARIS,)))
    _expect(ReplyRules(TOOLS, ToolChoice("function", "get_weather")), CALL_PARIS, Reading(None, (PARIS,)))
    _expect(ReplyRules(TOOLS, ToolChoice("none")), "No tools: sunny.", Reading("No tools: sunny."))


PERSON_JSON = '{"name": "Ada", "age": 36}'


@pytest.mark.parametrize(
    "text",
    [
        PERSON_JSON,
        f"```json\n{PERSON_JSON}\n```",
        f"Here you are: {PERSON_JSON} Anything else?",
        f"<think>Ada is {{36}}</think>{PERSON_JSON}",
    ],
)
def test_a_json_answer_is_the_object_alone(text: str) -> None:
    _expect(ReplyRules(answer=SCHEMA_FORMAT), text, Reading(PERSON_JSON))
    _expect(ReplyRules(answer=OBJECT_FORMAT), text, Reading(PERSON_JSON))


@pytest.mark.parametrize(
    ("answer", "text", "problem"),
    [
        (SCHEMA_FORMAT, '{"name": "Ada"}', "Your answer breaks the required JSON Schema: 'age' is a required property"),
        (SCHEMA_FORMAT, '{"name": "Ada", "age": "old"}', "'old' is not of type 'integer' (at age)"),
        (SCHEMA_FORMAT, "Ada, 36", "Your answer must be one JSON object; it held none."),
        (OBJECT_FORMAT, '{"name": "Ada", ', "Your answer is not valid JSON"),
        (OBJECT_FORMAT, "<think>no end", "Your answer must be one JSON object; it held none."),
    ],
)
def test_a_broken_json_answer_is_rejected(answer: AnswerFormat, text: str, problem: str) -> None:
    rules = ReplyRules(answer=answer)
    with pytest.raises(ReplyRejected, match=problem.replace("(", r"\(").replace(")", r"\)")):
        read_reply(rules, text)
    assert len(_every_split(rules, text)) == 1


def test_with_tools_and_a_format_the_answer_is_either() -> None:
    rules = ReplyRules(TOOLS, answer=SCHEMA_FORMAT)
    _expect(rules, CALL_PARIS, Reading(None, (PARIS,)))
    _expect(rules, f"Done: {PERSON_JSON}", Reading(PERSON_JSON))
    _expect(rules, f"Checking. {CALL_PARIS}", Reading("Checking.", (PARIS,)))
    with pytest.raises(ReplyRejected, match="it held none"):
        read_reply(rules, "No idea.")


def test_a_json_answer_streams_as_it_arrives() -> None:
    scanner = ReplyScanner(ReplyRules(answer=SCHEMA_FORMAT))
    assert scanner.feed("Sure: ") == ""
    assert scanner.feed('{"name": "A') == '{"name": "A'
    assert scanner.feed('da", "age": 36} bye') == 'da", "age": 36}'
    assert scanner.finish() == ("", Reading(PERSON_JSON))


def test_text_streams_until_a_brace_and_an_envelope_is_held() -> None:
    scanner = ReplyScanner(AUTO)
    assert scanner.feed("It is ") == "It is"
    assert scanner.feed("sunny. ") == " sunny."
    assert scanner.feed('{"tool_calls": [') == ""
    assert scanner.feed('{"name": "get_time"}]}') == ""
    assert scanner.finish() == ("", Reading("It is sunny.", (TIME,)))


def test_three_piece_splits_of_a_fenced_envelope_with_prose() -> None:
    text = f"Checking.\n```json\n{CALL_PARIS}\n```\nDone."
    expected = Reading("Checking.\n\nDone.", (PARIS,))
    for first in range(0, len(text), 3):
        for second in range(first, len(text), 5):
            scanner = ReplyScanner(AUTO)
            shown = scanner.feed(text[:first]) + scanner.feed(text[first:second]) + scanner.feed(text[second:])
            rest, reading = scanner.finish()
            assert (reading, shown + rest) == (expected, expected.content)


def test_the_legacy_and_unknown_shapes_of_tools() -> None:
    tools, legacy = tools_of({"functions": [{"name": "f", "parameters": {"type": "object"}}]})
    assert legacy
    assert tools == (Tool("f", "", {"type": "object"}, '{"type": "object"}'),)


def test_tool_calls_are_built_as_the_sdk_constructs_them() -> None:
    """`apply_reading` builds tool calls with pydantic-core: the same objects as the SDK's `model_construct`."""
    from openai.types.chat import ChatCompletionMessage, ChatCompletionMessageFunctionToolCall
    from openai.types.chat.chat_completion_message_function_tool_call import Function

    from omnigate_openai._emulated_call import apply_reading

    message = ChatCompletionMessage.model_construct(role="assistant", content="raw")
    calls = (Call("get_weather", '{"city":"Paris"}'), Call("search", '{"q":"caf\u00e9 \\"x\\""}'))
    apply_reading(message, Reading(None, calls), legacy=False)
    assert message.content is None
    built = message.tool_calls or []
    expected = [
        ChatCompletionMessageFunctionToolCall.model_construct(
            id=call.id, type="function", function=Function.model_construct(name=made.name, arguments=made.arguments)
        )
        for call, made in zip(built, calls, strict=True)
    ]
    assert built == expected
    for mine, theirs in zip(built, expected, strict=True):
        assert type(mine) is type(theirs)
        assert type(mine.function) is type(theirs.function)
        assert mine.model_fields_set == theirs.model_fields_set
        assert mine.function.model_fields_set == theirs.function.model_fields_set
        assert mine.to_dict() == theirs.to_dict()
        assert mine.id.startswith("call_")
        assert len(mine.id) == 29
    assert len({call.id for call in built}) == 2


# JSON nested past the interpreter's recursion limit (1000): `json` gives up with RecursionError, not ValueError.
TOO_DEEP = '{"a": ' * 1200 + "1" + "}" * 1200
TREE = {"type": "object", "properties": {"v": {"type": "string"}, "child": {"$ref": "#"}}}  # a recursive schema
TREES, _ = tools_of({"tools": [{"type": "function", "function": {"name": "tree", "parameters": TREE}}]})


def _calling(name: str, arguments: str) -> str:
    """An envelope of one call whose arguments are written as they are (`envelope` would decode them)."""
    return '{"tool_calls": [{"name": "' + name + '", "arguments": ' + arguments + "}]}"


def test_json_nested_too_deeply_to_decode_is_text_or_a_broken_answer() -> None:
    """The decoder's RecursionError once escaped the reader (and reached the caller of the client)."""
    text = f"Deep: {TOO_DEEP}"
    assert read_reply(AUTO, text) == Reading(text)  # not an envelope it can read: text, as any other object
    assert _every_split(AUTO, text, step=997) == {Reading(text)}
    required, json_object = ReplyRules(TOOLS, ToolChoice("required")), ReplyRules(answer=OBJECT_FORMAT)
    for rules, answer in [
        (required, TOO_DEEP),
        (required, _calling("get_time", TOO_DEEP)),
        (required, _calling("get_time", json.dumps(TOO_DEEP))),  # arguments in OpenAI's string form
        (json_object, TOO_DEEP),
        (json_object, _calling("get_time", TOO_DEEP)),
    ]:
        with pytest.raises(ReplyRejected) as caught:
            read_reply(rules, answer)
        assert _every_split(rules, answer, step=997) == {("rejected", str(caught.value))}
    with pytest.raises(ReplyRejected, match="Your answer is not valid JSON: maximum recursion depth exceeded"):
        read_reply(ReplyRules(answer=OBJECT_FORMAT), TOO_DEEP)
    with pytest.raises(ReplyRejected, match=r"tool_calls\[0\]\.arguments is not a JSON object"):
        read_reply(AUTO, _calling("get_time", json.dumps(TOO_DEEP)))


def test_a_value_too_deep_for_the_schema_validator_is_a_broken_answer() -> None:
    """A recursive schema checks a deep value one level at a time: past the recursion limit, `jsonschema`
    raised RecursionError out of the reader."""
    deep = '{"child": ' * 300 + '{"v": 1}' + "}" * 300
    problem = "has arguments that break its schema: they are nested too deeply to check."
    with pytest.raises(ReplyRejected, match=problem):
        read_reply(ReplyRules(TREES), _calling("tree", deep))
    tree = answer_format({"response_format": {"type": "json_schema", "json_schema": {"name": "t", "schema": TREE}}})
    with pytest.raises(ReplyRejected, match="Your answer breaks the required JSON Schema: they are nested too deeply"):
        read_reply(ReplyRules(answer=tree), deep)
    valid = '{"child": ' * 300 + '{"v": "leaf"}' + "}" * 300  # a valid one is still read
    assert read_reply(ReplyRules(answer=tree), valid) == Reading(valid)


def test_a_huge_wrong_value_is_quoted_short_in_the_re_ask() -> None:
    """The validator quotes the whole offending value; a 50 KB one would make a 50 KB re-ask (and error)."""
    huge = {"blob": "x" * 50_000}
    with pytest.raises(ReplyRejected) as caught:
        read_reply(ReplyRules(answer=SCHEMA_FORMAT), json.dumps({"name": huge, "age": 36}))
    problem = str(caught.value)
    assert len(problem) < 1_000
    assert "Your answer breaks the required JSON Schema: {'blob': 'xxx" in problem
    assert problem.endswith("x'} is not of type 'string' (at name).")
