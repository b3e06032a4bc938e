package dev.openport.core;

import dev.openport.core.spi.PortMapperProvider;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;

/** The protocol modules on the class path, found once with {@link ServiceLoader}, most preferred first. */
final class Providers {
    private static volatile List<PortMapperProvider> installed;

    private Providers() {
    }

    static List<PortMapperProvider> installed() {
        List<PortMapperProvider> list = installed;
        if (list == null) {
            list = ServiceLoader.load(PortMapperProvider.class, Providers.class.getClassLoader()).stream()
                    .map(ServiceLoader.Provider::get)
                    .sorted(Comparator.comparing(PortMapperProvider::protocol))
                    .toList();
            installed = list;
        }
        return list;
    }
}
