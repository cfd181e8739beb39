package io.synapsews.mediators;

import org.apache.axiom.om.OMElement;
import org.apache.synapse.Mediator;
import org.apache.synapse.config.xml.AbstractMediatorSerializer;

/** Writes {@code <wsThrottle>} back out. */
public final class ThrottleMediatorSerializer extends AbstractMediatorSerializer {

    @Override
    protected OMElement serializeSpecificMediator(Mediator mediator) {
        OMElement e = fac.createOMElement("wsThrottle", synNS);
        MediatorXml.set(e, "onLimit", ((ThrottleMediator) mediator).getOnLimit().name().toLowerCase());
        saveTracingState(e, mediator);
        return e;
    }

    @Override
    public String getMediatorClassName() {
        return ThrottleMediator.class.getName();
    }
}
