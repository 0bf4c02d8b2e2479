//! What the demo's menus say of each dish: a line of Spanish the way a food-court menu words it,
//! and the allergens it contains (the EU's fourteen codes; `omnicanal_domain::dish`).

use omnicanal_domain::dish::Allergen::{
    self, Celery, Egg, Fish, Gluten, Milk, Molluscs, Mustard, Nuts, Sesame, Shellfish, Soy, Sulphites,
};

/// The description and allergens of a demo dish by its SKU; none for a SKU it does not know.
pub(super) fn dish_details(sku: &str) -> (Option<&'static str>, &'static [Allergen]) {
    let (text, allergens): (&str, &[Allergen]) = match sku {
        "NAP-MARG" => (
            "Salsa de tomate italiano, mozzarella fior di latte y albahaca fresca, en masa madre al horno de leña.",
            &[Gluten, Milk],
        ),
        "NAP-PEPP" => {
            ("Mozzarella y pepperoni levemente picante sobre salsa de tomate, en masa madre.", &[Gluten, Milk, Mustard])
        }
        "NAP-4QUE" => ("Mozzarella, gorgonzola, parmesano y queso de cabra, con un toque de orégano.", &[Gluten, Milk]),
        "NAP-TIRA" => {
            ("Bizcocho de vainilla con café espresso, crema de mascarpone y cacao amargo.", &[Gluten, Egg, Milk])
        }
        "NAP-BEB" => ("Bebida en lata o botella de 500 ml, bien helada.", &[]),
        "NIK-ACEV" => (
            "Roll de camarón tempura y palta, cubierto de salmón con salsa acevichada.",
            &[Gluten, Shellfish, Fish, Egg, Soy, Sesame],
        ),
        "NIK-GOHA" => ("Arroz de sushi con salmón fresco, palta, pepino, edamame y sésamo.", &[Fish, Soy, Sesame]),
        "NIK-GYOZ" => {
            ("Empanaditas japonesas de cerdo y verduras, a la plancha, con salsa de soya.", &[Gluten, Soy, Sesame])
        }
        "NIK-TE" => ("Té verde japonés frío, apenas endulzado.", &[]),
        "FUE-COMP" => ("Vienesa en pan de completo con tomate, palta y mayonesa casera.", &[Gluten, Egg, Mustard]),
        "FUE-CHAC" => ("Churrasco de vacuno con porotos verdes, tomate y ají verde en pan frica.", &[Gluten, Egg]),
        "FUE-BARR" => ("Churrasco de vacuno con queso derretido en pan frica.", &[Gluten, Milk]),
        "FUE-PAPA" => ("Papas cortadas a mano, fritas al momento, con sal de mar.", &[]),
        "FUE-JUGO" => ("Jugo de frutas de la estación, recién hecho, sin azúcar añadida.", &[]),
        "GUE-PAST" => ("Tres tortillas de maíz con cerdo al pastor, piña asada, cebolla y cilantro.", &[Celery]),
        "GUE-BURR" => ("Tortilla de trigo con carnitas, arroz, frijoles, queso y pico de gallo.", &[Gluten, Milk]),
        "GUE-NACH" => ("Totopos de maíz con queso fundido, jalapeños y guacamole de la casa.", &[Milk]),
        "GUE-HORC" => ("Agua fresca de arroz con canela y vainilla.", &[Milk, Nuts]),
        "ALT-LATT" => ("Doble espresso de grano de altura con leche vaporizada.", &[Milk]),
        "ALT-CAPP" => ("Espresso con leche y espuma cremosa, espolvoreado con cacao.", &[Milk]),
        "ALT-KUCH" => ("Kuchen casero de nueces con masa quebrada de mantequilla.", &[Gluten, Egg, Milk, Nuts]),
        "ALT-MEDI" => ("Medialuna de mantequilla, hojaldrada y recién horneada.", &[Gluten, Egg, Milk]),
        "PSA-CEVI" => ("Pescado del día en limón, ají limo y cebolla morada, con choclo y camote.", &[Fish, Celery]),
        "PSA-LECH" => {
            ("Leche de tigre con trozos de pescado, mariscos y cancha serrana.", &[Fish, Shellfish, Molluscs, Celery])
        }
        "PSA-CHIC" => ("Refresco de maíz morado con piña, canela y clavo de olor.", &[]),
        "GRA-CUAR" => ("Cuarto de pollo a la brasa con papas fritas, ensalada y cremas de la casa.", &[Egg, Mustard]),
        "GRA-ENTE" => {
            ("Pollo entero a la brasa para compartir, con papas familiares, ensalada y cremas.", &[Egg, Mustard])
        }
        "GRA-INCA" => ("Gaseosa Inca Kola de 500 ml, bien helada.", &[]),
        "CHI-CHAU" => ("Arroz salteado al wok con pollo, huevo, cebollita china y sillao.", &[Egg, Soy, Sesame]),
        "CHI-TALL" => {
            ("Tallarines salteados al wok con carne, verduras y salsa de ostión.", &[Gluten, Soy, Molluscs, Sulphites])
        }
        "CHI-WANT" => ("Wantanes crocantes rellenos de cerdo, con salsa de tamarindo.", &[Gluten, Egg, Soy]),
        _ => return (None, &[]),
    };
    (Some(text), allergens)
}
