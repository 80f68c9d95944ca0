package mqtt

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/vscp-go/vscpl2drv-websocksrv/internal/config"
	"github.com/vscp-go/vscpl2drv-websocksrv/internal/vscp"
)

// pfE1 returns the known-answer event E1, with every field set.
func pfE1() vscp.Event {
	return vscp.Event{
		Head:      0x60,
		OBID:      5,
		DateTime:  vscp.DateTime{Year: 2024, Month: 3, Day: 4, Hour: 5, Minute: 6, Second: 7},
		Timestamp: 1234,
		Class:     10,
		Type:      6,
		GUID:      vscp.GUID{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15},
		Data:      []byte{0x11, 0x22, 0x33},
	}
}

// pfIFG is the interface GUID the driver tests use.
var pfIFG = vscp.GUID{0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFE, 0, 0, 0, 0, 0, 0, 0xAB, 0xCD}

// pfInstance is the instance used by the template tests.
func pfInstance() *Instance {
	return &Instance{IfGUID: pfIFG, ClientID: "cid-1", User: "mqttuser", Host: "broker.example", DriverName: "websocksrv"}
}

func renderOne(t *testing.T, text string, kind TemplateKind, user map[string]string, ev *vscp.Event, f config.MQTTFormat) (string, []string) {
	t.Helper()
	tpl, warns := ParseTemplate(text, kind, user)
	return tpl.Render(pfInstance(), ev, f), warns
}

func TestTemplateKnownAnswersM1ToM4(t *testing.T) {
	e1 := pfE1()
	tests := []struct {
		id, text string
		kind     TemplateKind
		ev       *vscp.Event
		want     string
		warns    int
	}{
		{"M1", "vscp/{{guid}}/{{class}}/{{type}}/{{nickname}}", PublishTopic, &e1,
			"vscp/00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F/10/6/3599", 0},
		{"M2", "vscpstr/{{xclass}}/{{nickname}}", PublishTopic, &e1, "vscpstr/0a/3599", 0},
		{"M3", "{{xguid.lsb}}/{{nodeid}}/{{xhead}}/{{xobid}}/{{obid}}", PublishTopic, &e1, "0F/15/0060/00000005/5", 0},
		{"M4", "vscp/{{guid}}in/#", InstanceTopic, nil, "vscp/in/#", 1},
	}
	for _, tc := range tests {
		t.Run(tc.id, func(t *testing.T) {
			got, warns := renderOne(t, tc.text, tc.kind, nil, tc.ev, config.MQTTFormatJSON)
			if got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.text, got, tc.want)
			}
			if len(warns) != tc.warns {
				t.Errorf("warnings = %q, want %d", warns, tc.warns)
			}
		})
	}
}

// allEscapesE1 lists every built-in escape with its value for E1, IFG and
// pfInstance, format json.
func allEscapesE1() map[string]string {
	m := map[string]string{
		"guid":      "00:01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F",
		"guid.msb":  "0",
		"guid.lsb":  "15",
		"xguid.msb": "00",
		"xguid.lsb": "0F",

		"nickname":    "3599",
		"nodeid":      "15",
		"class":       "10",
		"type":        "6",
		"xclass":      "0a",
		"xtype":       "06",
		"class-token": "",
		"type-token":  "",
		"head":        "96",
		"xhead":       "0060",
		"obid":        "5",
		"xobid":       "00000005",
		"timestamp":   "1234",
		"xtimestamp":  "000004D2",
		"sizedata":    "3",
		"xsizedata":   "0003",
		"datetime":    "2024-03-04T05:06:07Z",
		"year":        "2024",
		"month":       "3",
		"day":         "4",
		"hour":        "5",
		"minute":      "6",
		"second":      "7",

		"clientid":     "cid-1",
		"user":         "mqttuser",
		"host":         "broker.example",
		"driver-name":  "websocksrv",
		"driver-level": "level2",
		"fmtpublish":   "json",
	}
	for _, f := range []string{"year", "month", "day", "hour", "minute", "second"} {
		m["local-"+f] = m[f]
	}
	for _, fam := range []string{"ifguid", "srvguid"} {
		m[fam] = "FF:FF:FF:FF:FF:FF:FF:FE:00:00:00:00:00:00:AB:CD"
		m[fam+".msb"] = "255"
		m[fam+".lsb"] = "205"
		m["x"+fam+".msb"] = "FF"
		m["x"+fam+".lsb"] = "CD"
		for i, b := range pfIFG {
			m[fmt.Sprintf("%s[%d]", fam, i)] = fmt.Sprint(b)
			m[fmt.Sprintf("x%s[%d]", fam, i)] = fmt.Sprintf("%02X", b)
		}
	}
	for i := range 16 {
		m[fmt.Sprintf("guid[%d]", i)] = fmt.Sprint(i)
		m[fmt.Sprintf("xguid[%d]", i)] = fmt.Sprintf("%02X", i)
	}
	for i, v := range map[int]string{0: "17", 1: "34", 2: "51", 3: "", 100: "", 511: ""} {
		m[fmt.Sprintf("data[%d]", i)] = v
	}
	for i, v := range map[int]string{0: "11", 1: "22", 2: "33", 3: "", 511: ""} {
		m[fmt.Sprintf("xdata[%d]", i)] = v
	}
	return m
}

// instanceEscape reports whether an escape of allEscapesE1 is marked (I).
func instanceEscape(name string) bool {
	for _, p := range []string{"ifguid", "xifguid", "srvguid", "xsrvguid"} {
		if strings.HasPrefix(name, p+".") || strings.HasPrefix(name, p+"[") || name == p {
			return true
		}
	}
	switch name {
	case "clientid", "user", "host", "driver-name", "driver-level":
		return true
	}
	return false
}

func TestTemplateEveryEscapeWithE1(t *testing.T) {
	e1 := pfE1()
	for name, want := range allEscapesE1() {
		for _, form := range []string{"{{%s}}", "{{{%s}}}", "{{ %s }}", "<{{%s}}>"} {
			text := fmt.Sprintf(form, name)
			got, warns := renderOne(t, text, PublishTopic, nil, &e1, config.MQTTFormatJSON)
			if strings.HasPrefix(form, "<") {
				want := "<" + want + ">"
				if got != want {
					t.Errorf("%s: Render(%q) = %q, want %q", name, text, got, want)
				}
			} else if got != want {
				t.Errorf("%s: Render(%q) = %q, want %q", name, text, got, want)
			}
			if len(warns) != 0 {
				t.Errorf("%s: unexpected warnings %q", name, warns)
			}
		}
	}
}

func TestTemplateInstanceTopicsHaveOnlyInstanceEscapes(t *testing.T) {
	for name, want := range allEscapesE1() {
		text := "a/{{" + name + "}}/b"
		tpl, warns := ParseTemplate(text, InstanceTopic, nil)
		got := tpl.Render(pfInstance(), nil, config.MQTTFormatJSON)
		if instanceEscape(name) {
			if got != "a/"+want+"/b" || len(warns) != 0 {
				t.Errorf("instance escape %s: got %q, warnings %q", name, got, warns)
			}
			continue
		}
		if got != "a//b" {
			t.Errorf("event escape %s in an instance topic: got %q, want %q", name, got, "a//b")
		}
		if len(warns) != 1 || !strings.Contains(warns[0], "{{"+name+"}}") {
			t.Errorf("event escape %s in an instance topic: warnings %q, want one naming it", name, warns)
		}
	}
}

func TestTemplateEventEscapesWithoutEventRenderEmpty(t *testing.T) {
	tpl, warns := ParseTemplate("x{{guid}}{{class}}{{datetime}}{{fmtpublish}}{{host}}y", PublishTopic, nil)
	if len(warns) != 0 {
		t.Fatalf("warnings %q", warns)
	}
	if got := tpl.Render(pfInstance(), nil, config.MQTTFormatXML); got != "xbroker.exampley" {
		t.Errorf("Render without event = %q", got)
	}
	if got := tpl.Render(nil, nil, config.MQTTFormatXML); got != "xy" {
		t.Errorf("Render without instance and event = %q", got)
	}
}

func TestTemplateFmtPublishIsTheFormatWord(t *testing.T) {
	e1 := pfE1()
	for f, want := range map[config.MQTTFormat]string{
		config.MQTTFormatJSON: "json", config.MQTTFormatXML: "xml",
		config.MQTTFormatString: "string", config.MQTTFormatBinary: "binary",
	} {
		if got, _ := renderOne(t, "t/{{fmtpublish}}", PublishTopic, nil, &e1, f); got != "t/"+want {
			t.Errorf("fmtpublish %v = %q, want %q", f, got, "t/"+want)
		}
	}
}

func TestTemplateHexFormats(t *testing.T) {
	tests := []struct {
		name string
		ev   vscp.Event
		text string
		want string
	}{
		{"xclass is lower-case and not truncated", vscp.Event{Class: 1040, Type: 0xABCD}, "{{xclass}}/{{xtype}}", "410/abcd"},
		{"xclass pads to two digits", vscp.Event{Class: 0, Type: 15}, "{{xclass}}/{{xtype}}", "00/0f"},
		{"xhead/xobid/xtimestamp widths", vscp.Event{Head: 0xFFFF, OBID: 0xDEADBEEF, Timestamp: 0xFFFFFFFF}, "{{xhead}}/{{xobid}}/{{xtimestamp}}", "FFFF/DEADBEEF/FFFFFFFF"},
		{"xsizedata of 512 bytes", vscp.Event{Data: make([]byte, 512)}, "{{sizedata}}/{{xsizedata}}/{{data[511]}}/{{xdata[511]}}", "512/0200/0/00"},
		{"nickname uses GUID[14] and GUID[15]", vscp.Event{GUID: vscp.GUID{14: 0xFF, 15: 0xFF}}, "{{nickname}}/{{nodeid}}", "65535/255"},
		{"unset datetime", vscp.Event{}, "[{{datetime}}]/{{year}}/{{month}}/{{second}}", "[]/0/0/0"},
		{"no padding of date fields", vscp.Event{DateTime: vscp.DateTime{Year: 1999, Month: 12, Day: 31, Hour: 23, Minute: 59, Second: 58}}, "{{year}}-{{local-month}}-{{day}} {{hour}}:{{minute}}:{{local-second}}", "1999-12-31 23:59:58"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got, _ := renderOne(t, tc.text, PublishTopic, nil, &tc.ev, config.MQTTFormatJSON); got != tc.want {
				t.Errorf("Render(%q) = %q, want %q", tc.text, got, tc.want)
			}
		})
	}
}

func TestTemplateUnknownAndMeasurementEscapesWarnOnce(t *testing.T) {
	e1 := pfE1()
	tests := []struct {
		text  string
		want  string
		warns []string // substrings, one per expected warning
	}{
		{"a/{{foo}}/b", "a//b", []string{"unknown escape {{foo}}"}},
		{"{{foo}}{{ foo }}{{{foo}}}", "", []string{"unknown escape {{foo}}"}},
		{"{{foo}}/{{bar}}", "/", []string{"{{foo}}", "{{bar}}"}},
		{"{{GUID}}", "", []string{"unknown escape {{GUID}}"}},
		{"{{guid[16]}}", "", []string{"unknown escape {{guid[16]}}"}},
		{"{{guid[03]}}", "", []string{"unknown escape {{guid[03]}}"}},
		{"{{guid[-1]}}", "", []string{"unknown escape"}},
		{"{{data[512]}}", "", []string{"unknown escape {{data[512]}}"}},
		{"{{xdata[]}}", "", []string{"unknown escape"}},
		{"{{rnd}}", "", []string{"unknown escape {{rnd}}"}},
		{"{{}}", "", []string{"unknown escape {{}}"}},
		{"{{ }}", "", []string{"unknown escape {{}}"}},
		{"m/{{is-measurement}}", "m/", []string{"unsupported measurement escape {{is-measurement}}"}},
		{"m/{{measurement-value}}/{{measurement-unit}}", "m//", []string{"{{measurement-value}}", "{{measurement-unit}}"}},
		{"m/{{measurement-sensor-index}}{{measurement-sensor-index}}", "m/", []string{"{{measurement-sensor-index}}"}},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			got, warns := renderOne(t, tc.text, PublishTopic, nil, &e1, config.MQTTFormatJSON)
			if got != tc.want {
				t.Errorf("Render = %q, want %q", got, tc.want)
			}
			if len(warns) != len(tc.warns) {
				t.Fatalf("warnings %q, want %d", warns, len(tc.warns))
			}
			for i, w := range tc.warns {
				if !strings.Contains(warns[i], w) || !strings.Contains(warns[i], fmt.Sprintf("%q", tc.text)) {
					t.Errorf("warning %d = %q, want it to contain %q and the topic", i, warns[i], w)
				}
			}
		})
	}
}

func TestTemplateUserEscapesOverrideBuiltins(t *testing.T) {
	e1 := pfE1()
	user := map[string]string{
		"guid":        "G",
		"mine":        "x{{class}}y+#",
		"driver-name": "drv",
		"empty":       "",
	}
	tests := []struct {
		text string
		kind TemplateKind
		want string
	}{
		{"{{guid}}/{{class}}", PublishTopic, "G/10"},
		{"{{ mine }}", PublishTopic, "x{{class}}y+#"}, // verbatim: no rendering, no escaping
		{"{{driver-name}}", PublishTopic, "drv"},
		{"a{{empty}}b", PublishTopic, "ab"},
		{"{{guid}}/{{mine}}/{{ifguid.lsb}}", InstanceTopic, "G/x{{class}}y+#/205"},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			tpl, warns := ParseTemplate(tc.text, tc.kind, user)
			if len(warns) != 0 {
				t.Errorf("warnings %q", warns)
			}
			if tpl.Literal() {
				t.Error("Literal() = true for a template with escapes")
			}
			if got := tpl.Render(pfInstance(), &e1, config.MQTTFormatJSON); got != tc.want {
				t.Errorf("Render = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestTemplateDriverNameDefault(t *testing.T) {
	tpl, _ := ParseTemplate("{{driver-name}}", InstanceTopic, nil)
	if got := tpl.Render(&Instance{}, nil, config.MQTTFormatJSON); got != "websocksrv" {
		t.Errorf("empty DriverName renders %q", got)
	}
	if got := tpl.Render(&Instance{DriverName: "other"}, nil, config.MQTTFormatJSON); got != "other" {
		t.Errorf("DriverName renders %q", got)
	}
}

func TestTemplateBracesAndSpaces(t *testing.T) {
	e1 := pfE1()
	tests := []struct {
		text    string
		want    string
		literal bool
		warn    bool // the unbalanced-braces warning
	}{
		{"{{{guid.msb}}}", "0", false, false},
		{"{{ class }}", "10", false, false},
		{"{{\tclass\t}}/{{{  type  }}}", "10/6", false, false},
		{"{{class}}{{type}}", "106", false, false},
		{"plain/topic", "plain/topic", true, false},
		{"", "", true, false},
		{"single {brace} only", "single {brace} only", true, false},
		{"a/{{class", "a/{{class", true, true},
		{"a/{{class}", "a/{{class}", true, true},
		{"a/class}}/b", "a/class}}/b", true, true},
		{"{{a{b}}", "{{a{b}}", true, true},
		{"{{{class}}", "{10", false, true},
		{"{{class}}}", "10}", false, true},
		{"{{{{class}}}}", "{10}", false, true},
		{"}}{{class}}{{", "}}10{{", false, true},
	}
	for _, tc := range tests {
		t.Run(tc.text, func(t *testing.T) {
			tpl, warns := ParseTemplate(tc.text, PublishTopic, nil)
			if got := tpl.Render(pfInstance(), &e1, config.MQTTFormatJSON); got != tc.want {
				t.Errorf("Render = %q, want %q", got, tc.want)
			}
			if tpl.Literal() != tc.literal {
				t.Errorf("Literal() = %v, want %v", tpl.Literal(), tc.literal)
			}
			if tpl.String() != tc.text {
				t.Errorf("String() = %q", tpl.String())
			}
			gotWarn := slices.ContainsFunc(warns, func(w string) bool { return strings.Contains(w, "unbalanced braces") })
			if gotWarn != tc.warn || (tc.warn && len(warns) != 1) || (!tc.warn && len(warns) != 0) {
				t.Errorf("warnings %q, want unbalanced-braces warning %v", warns, tc.warn)
			}
		})
	}
}

func TestTemplateZeroValueRendersEmpty(t *testing.T) {
	var tpl Template
	if got := tpl.Render(pfInstance(), nil, config.MQTTFormatJSON); got != "" {
		t.Errorf("zero Template renders %q", got)
	}
}

func TestTemplateAppendRenderAppends(t *testing.T) {
	e1 := pfE1()
	tpl, _ := ParseTemplate("/{{class}}", PublishTopic, nil)
	if got := string(tpl.AppendRender([]byte("pre"), pfInstance(), &e1, config.MQTTFormatJSON)); got != "pre/10" {
		t.Errorf("AppendRender = %q", got)
	}
}

func TestValidPublishTopic(t *testing.T) {
	tests := []struct {
		topic string
		want  bool
	}{
		{"vscp/10/6", true},
		{"a", true},
		{"/", true},
		{"vscp//x", true},
		{" ", true},
		{"", false},
		{"vscp/+/6", false},
		{"vscp/#", false},
		{"+", false},
		{"#", false},
		{"a+b", false},
	}
	for _, tc := range tests {
		if got := ValidPublishTopic(tc.topic); got != tc.want {
			t.Errorf("ValidPublishTopic(%q) = %v, want %v", tc.topic, got, tc.want)
		}
	}
}
