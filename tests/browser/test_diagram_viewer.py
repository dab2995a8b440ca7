"""The procedure's diagram on the officials' case page: drawn by bpmn-js from the case's own
BPMN, the current step highlighted, nothing refused by the Content-Security-Policy; and the
list of steps for those without JavaScript."""

import pyotp
import pytest
from lxml import etree

from tests.browser.conftest import DESKTOP, PHONE, run_on_server, serious_violations
from tests.browser.two_factor_steps import sign_in, type_next_code
from ventanilla.core.cui import make_cui
from ventanilla.identity.demo import DEMO_ACCOUNTS, DEMO_PASSWORD

pytestmark = pytest.mark.browser

REVIEWER_CUI = make_cui(10_000_041, "01", "01")
SECRET = pyotp.random_base32()
# Every Content-Security-Policy refusal, whatever the console says about it.
RECORD_CSP_VIOLATIONS = """
window.cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.cspViolations.push(`${event.violatedDirective} ${event.blockedURI} ${event.sample}`);
});
"""


def _demo(kind):
    return next(cui for _role, cui, *_rest, k in DEMO_ACCOUNTS if k == kind)


@pytest.fixture(scope="module")
def case_in_review(server_env):
    """The demo citizen's certification, waiting for review at DIGEACE, and a reviewer there
    with a known authenticator key. Returns the case's id."""
    return run_on_server(
        server_env,
        "from ventanilla.identity.models import User, Role, TotpDevice;"
        "from ventanilla.core.models import OrgUnit;"
        "from ventanilla.identity.actions import grant_role;"
        "from ventanilla.identity import two_factor;"
        "from ventanilla.catalog.models import Procedure;"
        "from ventanilla.cases import actions;"
        f"admin = User.objects.get(cui='{_demo('admin')}');"
        f"u = User.objects.create_user('{REVIEWER_CUI}', '{DEMO_PASSWORD}',"
        " first_names='Diana', last_names='Diagrama');"
        "grant_role(u, Role.REVIEWER, OrgUnit.objects.get(code='digeace'), actor=admin);"
        "TotpDevice.objects.create(user=u,"
        f" encrypted_secret=two_factor.encrypt_secret('{SECRET}'));"
        f"citizen = User.objects.get(cui='{_demo('citizen')}');"
        "case = actions.start_case(Procedure.objects.get(slug='certificacion-de-estudios'),"
        " applicant=citizen, actor=citizen);"
        "case = actions.complete_task(case.pk, 'solicitud', {'nivel': 'basico',"
        " 'grado': '3o', 'anio': 2019, 'establecimiento': 'INEB Mixco'}, actor=citizen);"
        "print(case.pk)",
    )


BPMN = "http://www.omg.org/spec/BPMN/20100524/MODEL"
LANE_HEIGHT = 200


def with_own_layout(bpmn: str) -> str:
    """The diagram as an editor (Camunda Modeler, bpmn.io) saves it: pool, lanes, shapes and
    edges placed by hand. Here: the flow nodes in a row, each in its lane."""
    root = etree.fromstring(bpmn.encode())
    ns = {"bpmn": BPMN}
    [collaboration] = root.findall("bpmn:collaboration", ns)
    [participant] = collaboration.findall("bpmn:participant", ns)
    lanes = root.findall(".//bpmn:lane", ns)
    lane_of = {
        ref.text: i for i, lane in enumerate(lanes) for ref in lane.findall("bpmn:flowNodeRef", ns)
    }
    flows = root.findall(".//bpmn:sequenceFlow", ns)
    nodes = [n for n in root.find("bpmn:process", ns) if n.get("id") in lane_of]
    place = {
        n.get("id"): (200 + 150 * i, 60 + LANE_HEIGHT * lane_of[n.get("id")])
        for i, n in enumerate(nodes)
    }
    width = 200 + 150 * len(nodes)
    shapes = [
        f'<bpmndi:BPMNShape id="{participant.get("id")}_di" '
        f'bpmnElement="{participant.get("id")}" isHorizontal="true">'
        f'<dc:Bounds x="100" y="0" width="{width}" height="{LANE_HEIGHT * len(lanes)}"/>'
        "</bpmndi:BPMNShape>"
    ]
    shapes += [
        f'<bpmndi:BPMNShape id="{lane.get("id")}_di" bpmnElement="{lane.get("id")}" '
        f'isHorizontal="true"><dc:Bounds x="130" y="{LANE_HEIGHT * i}" '
        f'width="{width - 30}" height="{LANE_HEIGHT}"/></bpmndi:BPMNShape>'
        for i, lane in enumerate(lanes)
    ]
    shapes += [
        f'<bpmndi:BPMNShape id="{node_id}_di" bpmnElement="{node_id}">'
        f'<dc:Bounds x="{x}" y="{y}" width="100" height="80"/></bpmndi:BPMNShape>'
        for node_id, (x, y) in place.items()
    ]
    edges = [
        f'<bpmndi:BPMNEdge id="{flow.get("id")}_di" bpmnElement="{flow.get("id")}">'
        + "".join(
            f'<di:waypoint x="{place[end][0] + 50}" y="{place[end][1] + 40}"/>'
            for end in (flow.get("sourceRef"), flow.get("targetRef"))
        )
        + "</bpmndi:BPMNEdge>"
        for flow in flows
    ]
    diagram = (
        '<bpmndi:BPMNDiagram id="dibujo" '
        'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
        'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
        'xmlns:di="http://www.omg.org/spec/DD/20100524/DI">'
        f'<bpmndi:BPMNPlane id="plano" bpmnElement="{collaboration.get("id")}">'
        + "".join(shapes + edges)
        + "</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>"
    )
    return bpmn.replace("</bpmn:definitions>", diagram + "</bpmn:definitions>")


@pytest.fixture(scope="module")
def signed_in(browser, live_server_url, case_in_review):
    """The reviewer's session (password and authenticator code), signed in once: a code is
    accepted only once."""
    context = browser.new_context(viewport=DESKTOP, locale="es-GT", base_url=live_server_url)
    page = context.new_page()
    page.goto("/oficina/expedientes/")
    sign_in(page, REVIEWER_CUI, DEMO_PASSWORD)
    type_next_code(page, SECRET)
    page.wait_for_url("**/oficina/expedientes/")
    state = context.storage_state()
    context.close()
    return state


@pytest.fixture
def office(browser, live_server_url, signed_in):
    """open(viewport, **options) -> a page of the signed-in reviewer that records console
    errors and Content-Security-Policy refusals."""
    contexts = []

    def open_page(viewport, **options):
        context = browser.new_context(
            viewport=viewport,
            locale="es-GT",
            base_url=live_server_url,
            storage_state=signed_in,
            **options,
        )
        contexts.append(context)
        context.add_init_script(RECORD_CSP_VIOLATIONS)
        page = context.new_page()
        page.console_errors = []
        page.on("console", lambda msg: msg.type == "error" and page.console_errors.append(msg.text))
        return page

    yield open_page
    for context in contexts:
        context.close()


def _drawn_diagram(page):
    page.locator(".vt-diagram.vt-diagram--ready").wait_for(timeout=20_000)
    return page.locator(".vt-diagram")


def _box_inside(inner, outer) -> bool:
    return (
        inner["x"] >= outer["x"] - 1
        and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + 1
        and inner["y"] >= outer["y"] - 1
        and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + 1
    )


def _nothing_refused(page) -> None:
    assert page.evaluate("window.cspViolations") == []
    assert page.console_errors == []


def test_the_official_sees_the_diagram_with_the_current_step(office, case_in_review):
    page = office(DESKTOP)
    page.goto(f"/oficina/expedientes/{case_in_review}/")
    diagram = _drawn_diagram(page)
    assert diagram.locator("svg .djs-shape").count() >= 10  # the whole process, laid out
    assert diagram.locator("[data-element-id=carril_revisor]").count() == 0  # no lanes: auto
    current = diagram.locator(".djs-element.vt-diagram-current")
    assert current.count() == 1 and current.get_attribute("data-element-id") == "revision"
    fill = current.locator(".djs-visual > :first-child").evaluate(
        "shape => getComputedStyle(shape).fill"
    )
    assert fill == "rgb(255, 247, 191)"  # the stylesheet's highlight reached the shape
    assert "«Revisar los registros del establecimiento»" in diagram.inner_text()
    frame = diagram.locator(".vt-diagram__frame").bounding_box()
    watermark = diagram.locator(".bjs-powered-by")  # the bpmn.io licence: always in view
    assert watermark.is_visible() and _box_inside(watermark.bounding_box(), frame)
    current_step = page.locator(".vt-process-steps li[aria-current=step]")
    assert "Revisar los registros del establecimiento" in current_step.inner_text()
    assert "Paso actual" in current_step.inner_text()
    assert serious_violations(page) == []
    _nothing_refused(page)


def test_on_a_phone_the_diagram_scrolls_to_the_current_step(office, case_in_review):
    page = office(PHONE, is_mobile=True, has_touch=True)
    page.goto(f"/oficina/expedientes/{case_in_review}/")
    diagram = _drawn_diagram(page)
    frame = diagram.locator(".vt-diagram__frame").bounding_box()
    assert diagram.locator(".djs-container").bounding_box()["width"] > frame["width"]
    current = diagram.locator(".djs-element.vt-diagram-current")
    assert _box_inside(current.bounding_box(), frame)
    assert _box_inside(diagram.locator(".bjs-powered-by").bounding_box(), frame)
    assert serious_violations(page) == []
    _nothing_refused(page)


def test_without_javascript_the_steps_are_a_list(office, case_in_review):
    page = office(PHONE, java_script_enabled=False)
    page.goto(f"/oficina/expedientes/{case_in_review}/")
    assert not page.locator(".vt-diagram").is_visible()  # no empty frame
    steps = page.locator(".vt-process-steps li")
    assert steps.count() == 3
    assert "Datos de los estudios" in steps.nth(0).inner_text()
    assert "Paso actual" in steps.nth(1).inner_text()
    assert "Paso actual" not in steps.nth(2).inner_text()


def test_a_diagram_that_cannot_be_drawn_leaves_the_list(office, case_in_review):
    page = office(DESKTOP)
    page.route("**/diagrama.bpmn", lambda route: route.fulfill(body="<roto", status=200))
    page.goto(f"/oficina/expedientes/{case_in_review}/")
    failed = page.locator(".vt-diagram__error")
    failed.wait_for()
    assert "No se pudo mostrar el diagrama" in failed.inner_text()
    assert not page.locator(".vt-diagram__frame").is_visible()
    assert not page.locator(".vt-diagram__legend").is_visible()
    assert page.locator(".vt-process-steps li").count() == 3
    _nothing_refused(page)


def test_a_diagram_drawn_in_an_editor_keeps_its_layout(office, case_on_a_drawn_diagram):
    page = office(DESKTOP)
    page.goto(f"/oficina/expedientes/{case_on_a_drawn_diagram}/")
    diagram = _drawn_diagram(page)
    assert diagram.locator("[data-element-id=carril_revisor]").count() == 1
    revision = diagram.locator(".djs-element[data-element-id=revision]")
    position = revision.evaluate(
        "g => { const m = g.transform.baseVal.consolidate().matrix; return [m.e, m.f]; }"
    )
    assert position == [650, 260]  # where with_own_layout put it
    assert "vt-diagram-current" in revision.get_attribute("class")
    _nothing_refused(page)


@pytest.fixture(scope="module")
def case_on_a_drawn_diagram(server_env, case_in_review):
    """A copy of that case on a version whose diagram brings its own layout, as one drawn in
    an editor would. A slug of its own: cases that other tests start keep the packaged one."""
    packaged = run_on_server(
        server_env,
        "from ventanilla.cases.models import Case;"
        f"print(Case.objects.get(pk={case_in_review}).process_version.bpmn)",
    )
    return run_on_server(
        server_env,
        "from ventanilla.cases.models import Case;"
        "from ventanilla.engine.models import ProcessVersion;"
        f"case = Case.objects.get(pk={case_in_review});"
        "v = case.process_version;"
        "drawn = ProcessVersion.objects.create(slug='certificacion-dibujada', version=1,"
        f" process_id=v.process_id, bpmn={with_own_layout(packaged)!r},"
        " forms=v.forms, spec=v.spec, sha256='d' * 64);"
        "case.pk = None; case.tracking_number = None; case.process_version = drawn;"
        "case.save(); print(case.pk)",
    )
