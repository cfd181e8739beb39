package io.synapsews.mediators;

import java.util.Properties;

import javax.xml.namespace.QName;

import org.apache.axiom.om.OMElement;
import org.apache.synapse.Mediator;
import org.apache.synapse.config.xml.AbstractMediatorFactory;
import org.apache.synapse.config.xml.XMLConfigConstants;

/** Reads {@code <wsThrottle onLimit="error|close"/>}. */
public final class ThrottleMediatorFactory extends AbstractMediatorFactory {

    static final QName TAG = new QName(XMLConfigConstants.SYNAPSE_NAMESPACE, "wsThrottle");

    @Override
    protected Mediator createSpecificMediator(OMElement elem, Properties properties) {
        ThrottleMediator m = new ThrottleMediator();
        m.setOnLimit(MediatorXml.choice(elem, "onLimit", ThrottleMediator.OnLimit.class, ThrottleMediator.OnLimit.ERROR));
        return m;
    }

    @Override
    public QName getTagQName() {
        return TAG;
    }
}
