using System.Globalization;

namespace Fledge.Core.Analysis;

/// <summary>
/// A success or failure condition over a measurement's <c>result</c>, as Argo Rollouts writes them:
/// <c>result &lt; 0.05</c>, <c>result[0] &gt;= 0.99 &amp;&amp; result[1] &lt; 300</c>, <c>len(result) &gt; 0 and !isNaN(result)</c>.
/// Numbers, booleans, <c>result</c> (a number or a list of numbers) with indexing, + - * /, comparisons,
/// &amp;&amp; || ! (also and, or, not), parentheses, and len, isNaN, isInf, abs. A list of one number compares as that number.
/// </summary>
public sealed class ConditionExpression
{
    private readonly Node _root;

    private ConditionExpression(string text, Node root)
    {
        Text = text;
        _root = root;
    }

    /// <summary>The longest condition read: far above any written by hand, and a bound on the work one can ask for.</summary>
    public const int MaxLength = 4096;

    /// <summary>How deeply parentheses, negations and calls may nest (recursion must never exhaust the stack).</summary>
    public const int MaxDepth = 64;

    public string Text { get; }

    /// <summary>Parses the expression; the error names the position and what was expected.</summary>
    public static bool TryParse(string text, out ConditionExpression? expression, out string error)
    {
        expression = null;
        error = "";
        if (text.Length > MaxLength)
        {
            error = $"the condition is {text.Length} characters long; at most {MaxLength} are read";
            return false;
        }

        try
        {
            var parser = new Parser(text);
            var root = parser.Expression();
            parser.ExpectEnd();
            expression = new ConditionExpression(text, root);
            return true;
        }
        catch (FormatException e)
        {
            error = e.Message;
            return false;
        }
    }

    /// <summary>Evaluates against a result; throws <see cref="InvalidOperationException"/> (a measurement error) when it cannot.</summary>
    public bool Evaluate(IReadOnlyList<double> result)
    {
        var value = _root.Evaluate(result);
        return value is bool b ? b : throw new InvalidOperationException($"\"{Text}\" is a number, not true or false");
    }

    private abstract record Node
    {
        public abstract object Evaluate(IReadOnlyList<double> result);

        protected static double Number(object value) => value switch
        {
            double d => d,
            IReadOnlyList<double> { Count: 1 } list => list[0],
            IReadOnlyList<double> list => throw new InvalidOperationException($"result has {list.Count} values; index it, e.g. result[0]"),
            _ => throw new InvalidOperationException("expected a number, found true or false"),
        };

        protected static bool Bool(object value) => value as bool? ?? throw new InvalidOperationException("expected true or false, found a number");
    }

    private sealed record Constant(object Value) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result) => Value;
    }

    private sealed record Result : Node
    {
        public override object Evaluate(IReadOnlyList<double> result) => result;
    }

    private sealed record Index(Node Target, int Position) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result)
        {
            var target = Target.Evaluate(result) as IReadOnlyList<double> ?? throw new InvalidOperationException("only result can be indexed");
            return Position < target.Count
                ? target[Position]
                : throw new InvalidOperationException($"result[{Position}] does not exist: result has {target.Count} value(s)");
        }
    }

    private sealed record Call(string Function, Node Argument) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result)
        {
            var value = Argument.Evaluate(result);
            return Function switch
            {
                "len" => value is IReadOnlyList<double> list ? list.Count : 1.0,
                "isNaN" => double.IsNaN(Number(value)),
                "isInf" => double.IsInfinity(Number(value)),
                _ => Math.Abs(Number(value)),
            };
        }
    }

    private sealed record Not(Node Operand) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result) => !Bool(Operand.Evaluate(result));
    }

    private sealed record Negate(Node Operand) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result) => -Number(Operand.Evaluate(result));
    }

    private sealed record Binary(string Operator, Node Left, Node Right) : Node
    {
        public override object Evaluate(IReadOnlyList<double> result)
        {
            switch (Operator)
            {
                case "&&":
                    return Bool(Left.Evaluate(result)) && Bool(Right.Evaluate(result));
                case "||":
                    return Bool(Left.Evaluate(result)) || Bool(Right.Evaluate(result));
            }

            var left = Left.Evaluate(result);
            var right = Right.Evaluate(result);
            if (Operator is "==" or "!=" && left is bool lb && right is bool rb)
            {
                return Operator == "==" ? lb == rb : lb != rb;
            }

            var (a, b) = (Number(left), Number(right));
            return Operator switch
            {
                "<" => a < b,
                "<=" => a <= b,
                ">" => a > b,
                ">=" => a >= b,
                "==" => a == b,
                "!=" => a != b,
                "+" => a + b,
                "-" => a - b,
                "*" => a * b,
                _ => a / b,
            };
        }
    }

    /// <summary>Recursive descent over the text; errors say where and what was expected.</summary>
    private sealed class Parser(string text)
    {
        private static readonly string[] Functions = ["len", "isNaN", "isInf", "abs"];
        private int _at;
        private int _depth;

        public Node Expression() => Or();

        public void ExpectEnd()
        {
            Skip();
            if (_at < text.Length)
            {
                throw Error($"unexpected \"{text[_at..]}\"");
            }
        }

        private Node Or()
        {
            var left = And();
            while (Take("||") || TakeWord("or"))
            {
                left = new Binary("||", left, And());
            }

            return left;
        }

        private Node And()
        {
            var left = Unary();
            while (Take("&&") || TakeWord("and"))
            {
                left = new Binary("&&", left, Unary());
            }

            return left;
        }

        private Node Unary()
        {
            if ((Peek('!') && !PeekText("!=")) ? Take("!") : TakeWord("not"))
            {
                return new Not(Deeper(Unary));
            }

            return Comparison();
        }

        private Node Comparison()
        {
            var left = Additive();
            foreach (var op in new[] { "<=", ">=", "==", "!=", "<", ">" })
            {
                if (Take(op))
                {
                    return new Binary(op, left, Additive());
                }
            }

            return left;
        }

        private Node Additive()
        {
            var left = Term();
            while (true)
            {
                if (Take("+"))
                {
                    left = new Binary("+", left, Term());
                }
                else if (Take("-"))
                {
                    left = new Binary("-", left, Term());
                }
                else
                {
                    return left;
                }
            }
        }

        private Node Term()
        {
            var left = Factor();
            while (true)
            {
                if (Take("*"))
                {
                    left = new Binary("*", left, Factor());
                }
                else if (Take("/"))
                {
                    left = new Binary("/", left, Factor());
                }
                else
                {
                    return left;
                }
            }
        }

        private Node Factor()
        {
            if (Take("-"))
            {
                return new Negate(Deeper(Factor));
            }

            Skip();
            if (Take("("))
            {
                var inner = Deeper(Or);
                Expect(")");
                return inner;
            }

            if (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] == '.'))
            {
                var start = _at;
                while (_at < text.Length && (char.IsAsciiDigit(text[_at]) || text[_at] is '.' or 'e' or 'E'
                    || (text[_at] is '+' or '-' && text[_at - 1] is 'e' or 'E')))
                {
                    _at++;
                }

                return double.TryParse(text[start.._at], NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                    ? new Constant(number)
                    : throw Error($"\"{text[start.._at]}\" is not a number", start);
            }

            if (_at < text.Length && text[_at] is '\'' or '"')
            {
                // A quoted literal, as Argo's expressions write them ('true', "0.95"): read as the number or boolean it spells
                var quote = text[_at];
                var start = _at;
                var end = text.IndexOf(quote, _at + 1);
                if (end < 0)
                {
                    throw Error($"the text starting with {quote} is not closed", start);
                }

                var literal = text[(start + 1)..end];
                _at = end + 1;
                return literal switch
                {
                    "true" => new Constant(true),
                    "false" => new Constant(false),
                    _ when double.TryParse(literal, NumberStyles.Float, CultureInfo.InvariantCulture, out var quoted) => new Constant(quoted),
                    _ => throw Error($"{quote}{literal}{quote} is text; Fledge's measurements are numbers: compare result with a number or true/false", start),
                };
            }

            var word = Word();
            switch (word)
            {
                case "true":
                    return new Constant(true);
                case "false":
                    return new Constant(false);
                case "result":
                    Node node = new Result();
                    while (Take("["))
                    {
                        Skip();
                        var start = _at;
                        while (_at < text.Length && char.IsAsciiDigit(text[_at]))
                        {
                            _at++;
                        }

                        if (start == _at)
                        {
                            throw Error("expected an index such as result[0]");
                        }

                        node = new Index(node, int.Parse(text[start.._at], CultureInfo.InvariantCulture));
                        Expect("]");
                    }

                    return node;
                case var name when Functions.Contains(name):
                    Expect("(");
                    var argument = Deeper(Or);
                    Expect(")");
                    return new Call(name, argument);
                case "":
                    throw Error(_at < text.Length ? $"unexpected \"{text[_at]}\"" : "the expression ends too early");
                default:
                    throw Error($"unknown name \"{word}\"; use result, numbers, and len, isNaN, isInf, abs", _at - word.Length);
            }
        }

        /// <summary>Parses one level deeper, refusing to go past <see cref="MaxDepth"/>.</summary>
        private Node Deeper(Func<Node> parse)
        {
            if (++_depth > MaxDepth)
            {
                throw Error($"nested more than {MaxDepth} levels deep");
            }

            try
            {
                return parse();
            }
            finally
            {
                _depth--;
            }
        }

        private string Word()
        {
            Skip();
            var start = _at;
            while (_at < text.Length && (char.IsAsciiLetterOrDigit(text[_at]) || text[_at] == '_'))
            {
                _at++;
            }

            return text[start.._at];
        }

        private bool TakeWord(string word)
        {
            Skip();
            var end = _at + word.Length;
            if (PeekText(word) && (end == text.Length || !char.IsAsciiLetterOrDigit(text[end])))
            {
                _at = end;
                return true;
            }

            return false;
        }

        private bool Take(string token)
        {
            Skip();
            if (!PeekText(token))
            {
                return false;
            }

            _at += token.Length;
            return true;
        }

        private void Expect(string token)
        {
            if (!Take(token))
            {
                throw Error($"expected \"{token}\"");
            }
        }

        private bool Peek(char c)
        {
            Skip();
            return _at < text.Length && text[_at] == c;
        }

        private bool PeekText(string token) => string.CompareOrdinal(text, _at, token, 0, token.Length) == 0;

        private void Skip()
        {
            while (_at < text.Length && char.IsWhiteSpace(text[_at]))
            {
                _at++;
            }
        }

        private FormatException Error(string message, int? at = null) =>
            new($"{message} at position {(at ?? _at) + 1} of \"{text}\"");
    }
}
